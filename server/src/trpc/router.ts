import { z } from 'zod';
import { adminRouter } from './routers/admin';
import { productsRouter, sourcesRouter } from './routers/catalog';
import { inventoryRouter } from './routers/inventory';
import { channelsRouter, listingsRouter, negativesRouter, ordersRouter, settingsRouter } from './routers/orders';
import { publicProcedure, router, sellerProcedure } from './init';

export const appRouter = router({
  health: router({
    check: publicProcedure.input(z.strictObject({}).optional()).query(async ({ ctx }) => {
      await ctx.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
      return { ok: true as const };
    }),
  }),
  account: router({
    get: sellerProcedure.query(({ ctx }) => ({ tenantId: ctx.scope.tenantId, tenantName: ctx.tenantName, role: 'seller' as const })),
  }),
  inventory: inventoryRouter,
  sources: sourcesRouter,
  products: productsRouter,
  channels: channelsRouter,
  listings: listingsRouter,
  orders: ordersRouter,
  settings: settingsRouter,
  negatives: negativesRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
