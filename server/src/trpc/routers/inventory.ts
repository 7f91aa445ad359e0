import { adjustInput, bySkusInput, historyInput, setQuantitiesInput, setQuantityInput } from '@onhand/shared';
import { adjustQuantity, inventoryBySkus, inventoryHistory, setQuantities, setQuantity } from '../../usecases/inventory';
import { router, sellerProcedure } from '../init';

export const inventoryRouter = router({
  bySkus: sellerProcedure.input(bySkusInput).query(({ ctx, input }) => inventoryBySkus(ctx.scope, input.skus)),
  setQuantity: sellerProcedure.input(setQuantityInput).mutation(({ ctx, input }) => setQuantity(ctx.scope, input)),
  /** Up to 500 counts at one source in one transaction (CSV imports). */
  setQuantities: sellerProcedure.input(setQuantitiesInput).mutation(({ ctx, input }) => setQuantities(ctx.scope, input)),
  adjust: sellerProcedure.input(adjustInput).mutation(({ ctx, input }) => adjustQuantity(ctx.scope, input)),
  history: sellerProcedure.input(historyInput).query(({ ctx, input }) => inventoryHistory(ctx.scope, input)),
});
