import { searchAttentionInput, searchCatalogInput } from '@onhand/shared';
import { searchAttention, searchCatalog } from '../../usecases/catalog-search';
import { router, sellerProcedure } from '../init';

/** The popup's quick inventory check: catalogue search and the "needs attention" list. */
export const searchRouter = router({
  catalog: sellerProcedure.input(searchCatalogInput).query(({ ctx, input }) => searchCatalog(ctx.scope, input)),
  attention: sellerProcedure.input(searchAttentionInput).query(({ ctx }) => searchAttention(ctx.scope)),
});
