import { adjustInput, bySkusInput, historyInput, setQuantityInput } from '@onhand/shared';
import { adjustQuantity, inventoryBySkus, inventoryHistory, setQuantity } from '../../usecases/inventory';
import { router, sellerProcedure } from '../init';

export const inventoryRouter = router({
  bySkus: sellerProcedure.input(bySkusInput).query(({ ctx, input }) => inventoryBySkus(ctx.scope, input.skus)),
  setQuantity: sellerProcedure.input(setQuantityInput).mutation(({ ctx, input }) => setQuantity(ctx.scope, input)),
  adjust: sellerProcedure.input(adjustInput).mutation(({ ctx, input }) => adjustQuantity(ctx.scope, input)),
  history: sellerProcedure.input(historyInput).query(({ ctx, input }) => inventoryHistory(ctx.scope, input)),
});
