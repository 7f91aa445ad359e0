import { z } from 'zod';
import { tracked, TRPCError } from '@trpc/server';
import { tenantEvents } from '../live/subscription';
import { adminRouter } from './routers/admin';
import { productsRouter, sourcesRouter } from './routers/catalog';
import { inventoryRouter } from './routers/inventory';
import { searchRouter } from './routers/search';
import { channelsRouter, listingsRouter, negativesRouter, ordersRouter, settingsRouter } from './routers/orders';
import { publicProcedure, router, sellerProcedure } from './init';

const eventIdSchema = z.string().regex(/^[0-9]{1,18}$/, 'must be an event id this API sent');

export const appRouter = router({
  changes: router({
    /**
     * The tenant's changes over SSE, in commit order. A client reconnecting
     * with its last event id (SSE does this by itself) misses nothing.
     */
    subscribe: sellerProcedure.input(z.strictObject({ lastEventId: eventIdSchema.nullish() }).optional()).subscription(async function* ({ ctx, input, signal }) {
      if (!ctx.feed) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'this server has no change feed' });
      for await (const event of tenantEvents(ctx.feed, ctx.scope.tenantId, input?.lastEventId ?? undefined, signal)) {
        const { tenantId, ...visible } = event;
        void tenantId;
        yield tracked(event.id, visible);
      }
    }),
  }),
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
  search: searchRouter,
});

export type AppRouter = typeof appRouter;
