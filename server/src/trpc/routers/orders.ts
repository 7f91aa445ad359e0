import { z } from 'zod';
import {
  channelsCreateInput,
  channelsUpdateInput,
  listingsImportInput,
  listingsLookupInput,
  listingsReportSeenInput,
  listingsSetRulesInput,
  listingsUpsertInput,
  negativesExplainInput,
  ordersCancelInput,
  ordersGetInput,
  ordersIngestInput,
  ordersListInput,
  ordersMarkShippedInput,
  ordersRematchInput,
  ordersSendToFulfillmentCenterInput,
  settingsUpdateInput,
} from '@onhand/shared';
import { listChannels } from '../../db/repositories/channels';
import { createChannel, readSettings, updateChannelSources, updateSettings, upsertListing } from '../../usecases/channels';
import { cancelOrder, getOrder, listOrdersPage, markShipped, sendToFulfillmentCenter } from '../../usecases/order-lifecycle';
import { ingestOrder, rematchOrder } from '../../usecases/orders';
import { importListing, lookupListings, reportSeenListings, setRules } from '../../usecases/listings';
import { explainNegativeBalance, listNegatives } from '../../usecases/negatives';
import { recordDrift } from '../../usecases/catalog-search';
import { router, sellerProcedure } from '../init';

const noInput = z.strictObject({}).optional();

export const channelsRouter = router({
  list: sellerProcedure.input(noInput).query(({ ctx }) => listChannels(ctx.scope.db, ctx.scope.tenantId)),
  create: sellerProcedure.input(channelsCreateInput).mutation(({ ctx, input }) => createChannel(ctx.scope, input)),
  update: sellerProcedure.input(channelsUpdateInput).mutation(({ ctx, input }) => updateChannelSources(ctx.scope, input)),
});

export const listingsRouter = router({
  upsert: sellerProcedure.input(listingsUpsertInput).mutation(({ ctx, input }) => upsertListing(ctx.scope, input)),
  // A page's lookup also remembers which listings the page shows drifting
  // ("needs attention"); when that changed, the change goes out at once.
  lookup: sellerProcedure.input(listingsLookupInput).query(async ({ ctx, input }) => {
    const { answer, recordedDrift } = await lookupListings(ctx.scope, input);
    if (await recordDrift(ctx.scope, input, answer, recordedDrift)) ctx.afterMutation?.();
    return answer;
  }),
  reportSeen: sellerProcedure.input(listingsReportSeenInput).mutation(({ ctx, input }) => reportSeenListings(ctx.scope, input)),
  import: sellerProcedure.input(listingsImportInput).mutation(({ ctx, input }) => importListing(ctx.scope, input)),
  setRules: sellerProcedure.input(listingsSetRulesInput).mutation(({ ctx, input }) => setRules(ctx.scope, input)),
});

export const ordersRouter = router({
  ingest: sellerProcedure.input(ordersIngestInput).mutation(({ ctx, input }) => ingestOrder(ctx.scope, input)),
  cancel: sellerProcedure.input(ordersCancelInput).mutation(({ ctx, input }) => cancelOrder(ctx.scope, input)),
  sendToFulfillmentCenter: sellerProcedure.input(ordersSendToFulfillmentCenterInput).mutation(({ ctx, input }) => sendToFulfillmentCenter(ctx.scope, input)),
  markShipped: sellerProcedure.input(ordersMarkShippedInput).mutation(({ ctx, input }) => markShipped(ctx.scope, input)),
  rematch: sellerProcedure.input(ordersRematchInput).mutation(({ ctx, input }) => rematchOrder(ctx.scope, input)),
  get: sellerProcedure.input(ordersGetInput).query(({ ctx, input }) => getOrder(ctx.scope, input.orderId)),
  list: sellerProcedure.input(ordersListInput).query(({ ctx, input }) => listOrdersPage(ctx.scope, input)),
});

export const settingsRouter = router({
  get: sellerProcedure.input(noInput).query(({ ctx }) => readSettings(ctx.scope)),
  update: sellerProcedure.input(settingsUpdateInput).mutation(({ ctx, input }) => updateSettings(ctx.scope, input)),
});

export const negativesRouter = router({
  list: sellerProcedure.input(noInput).query(({ ctx }) => listNegatives(ctx.scope)),
  explain: sellerProcedure.input(negativesExplainInput).query(({ ctx, input }) => explainNegativeBalance(ctx.scope, input)),
});
