import { z } from 'zod';
import { productsSearchInput, productsUpsertInput, sourcesCreateInput, sourcesUpdateInput } from '@onhand/shared';
import { searchProducts } from '../../db/repositories/products';
import { listSources } from '../../db/repositories/sources';
import { changeSource, createSource, upsertProduct } from '../../usecases/catalog';
import { router, sellerProcedure } from '../init';

export const sourcesRouter = router({
  list: sellerProcedure.input(z.strictObject({}).optional()).query(({ ctx }) => listSources(ctx.scope.db, ctx.scope.tenantId)),
  create: sellerProcedure.input(sourcesCreateInput).mutation(({ ctx, input }) => createSource(ctx.scope, input)),
  update: sellerProcedure.input(sourcesUpdateInput).mutation(({ ctx, input }) => changeSource(ctx.scope, input)),
});

export const productsRouter = router({
  upsert: sellerProcedure.input(productsUpsertInput).mutation(({ ctx, input }) => upsertProduct(ctx.scope, input)),
  search: sellerProcedure
    .input(productsSearchInput)
    .query(async ({ ctx, input }) => ({ products: await searchProducts(ctx.scope.db, ctx.scope.tenantId, input.query, input.limit ?? 20) })),
});
