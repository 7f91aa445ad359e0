import { z } from 'zod';
import { limits } from './limits';
import { countrySchema, deltaSchema, idSchema, idempotencyKeySchema, noteSchema, quantitySchema, skuSchema } from './common';
import { channelSchema, externalIdentifierSchema, marketplaceSchema, causeSchema, orderSchema } from './orders';
import { listingsLookupOutput } from './listings';
import { adjustReasonSchema, historyOutput } from './inventory';
import { searchAttentionOutput, searchCatalogOutput } from './search';

/**
 * Messages from the extension's content scripts and pages to its background
 * worker. The background is the only part that holds the token and talks to
 * the server; it validates every message with these schemas. Each action is
 * its own message: there is no "call any procedure" or "fetch anything".
 */
const displayedQuantitySchema = z.number().int().min(-limits.quantityMax).max(limits.quantityMax);

/** One row of a portal page as the content script read it. `title` is only used to report unknown rows. */
export const pageRowSchema = z
  .strictObject({
    key: z.string().min(1).max(300),
    channelSku: externalIdentifierSchema.optional(),
    externalId: externalIdentifierSchema.optional(),
    title: z.string().max(limits.titleLengthMax).optional(),
    displayedQuantity: displayedQuantitySchema.optional(),
  })
  .refine((v) => v.channelSku !== undefined || v.externalId !== undefined, { message: 'a row needs channelSku or externalId', path: ['channelSku'] });
export type PageRow = z.infer<typeof pageRowSchema>;

export const backgroundRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('connection.status') }),
  z
    .strictObject({
      type: z.literal('listings.lookup'),
      marketplace: marketplaceSchema,
      region: countrySchema.optional(),
      rows: z.array(pageRowSchema).min(1).max(limits.batchMax),
    })
    .refine((v) => new Set(v.rows.map((r) => r.key)).size === v.rows.length, { message: 'row keys must be unique', path: ['rows'] }),
  z.strictObject({ type: z.literal('listings.import'), listingId: idSchema, idempotencyKey: idempotencyKeySchema }),
  z.strictObject({ type: z.literal('negatives.explain'), sku: skuSchema, sourceId: idSchema }),
  z.strictObject({
    type: z.literal('orders.sendToFulfillmentCenter'),
    orderId: idSchema,
    lineIds: z.array(idSchema).min(1).max(100).optional(),
    sourceId: idSchema.optional(),
    idempotencyKey: idempotencyKeySchema,
  }),
  z.strictObject({ type: z.literal('orders.cancel'), orderId: idSchema, lineIds: z.array(idSchema).min(1).max(100).optional(), idempotencyKey: idempotencyKeySchema }),
  z.strictObject({ type: z.literal('sources.enableAutoFulfill'), sourceId: idSchema, idempotencyKey: idempotencyKeySchema }),
  z.strictObject({ type: z.literal('inventory.setQuantity'), sku: skuSchema, sourceId: idSchema, onHand: quantitySchema, idempotencyKey: idempotencyKeySchema }),
  // Content scripts ask whether the seller wants the overlay on their portal.
  z.strictObject({ type: z.literal('overlay.enabled'), marketplace: marketplaceSchema }),
  // The rest are for the extension's own pages (popup, options) only: the background refuses them from content scripts.
  z.strictObject({ type: z.literal('search.catalog'), query: z.string().max(limits.searchQueryLengthMax), limit: z.number().int().min(1).max(50).optional() }),
  z.strictObject({ type: z.literal('search.attention') }),
  /** A SKU's open orders with their routing (the popup's SKU detail). */
  z.strictObject({ type: z.literal('orders.openForSku'), sku: skuSchema }),
  z.strictObject({ type: z.literal('inventory.history'), sku: skuSchema, sourceId: idSchema.optional(), limit: z.number().int().min(1).max(limits.historyPageMax).optional() }),
  z.strictObject({
    type: z.literal('inventory.adjust'),
    sku: skuSchema,
    sourceId: idSchema,
    delta: deltaSchema,
    reason: adjustReasonSchema,
    note: noteSchema.optional(),
    idempotencyKey: idempotencyKeySchema,
  }),
  z.strictObject({ type: z.literal('settings.get') }),
  z.strictObject({ type: z.literal('settings.update'), notCountedAfterDays: z.number().int().min(1).max(3650), idempotencyKey: idempotencyKeySchema }),
  /** Checks a server address and token BEFORE they are saved (options page). */
  z.strictObject({ type: z.literal('connection.test'), serverUrl: z.url({ protocol: /^https?$/ }).max(2000), token: z.string().max(1000) }),
]);
/** Requests only the extension's own pages may send. */
export const pageOnlyRequestTypes: ReadonlySet<BackgroundRequestType> = new Set([
  'search.catalog',
  'search.attention',
  'orders.openForSku',
  'inventory.history',
  'inventory.adjust',
  'settings.get',
  'settings.update',
  'connection.test',
] as const);
export type BackgroundRequest = z.infer<typeof backgroundRequestSchema>;
export type BackgroundRequestType = BackgroundRequest['type'];

/** Why a call through the background failed, in words a seller can act on. */
export const connectionProblemSchema = z.enum(['unreachable', 'unauthorized', 'not-configured', 'error']);
export type ConnectionProblem = z.infer<typeof connectionProblemSchema>;

export const failureSchema = z.object({
  ok: z.literal(false),
  problem: connectionProblemSchema,
  message: z.string(),
});
export type Failure = z.infer<typeof failureSchema>;

export const lookupReplySchema = z.union([z.object({ ok: z.literal(true), data: listingsLookupOutput }), failureSchema]);
export type LookupReply = z.infer<typeof lookupReplySchema>;

export const negativeExplanationSchema = z.object({ available: z.number().int(), causes: z.array(causeSchema) });
export type NegativeExplanation = z.infer<typeof negativeExplanationSchema>;
export const explainReplySchema = z.union([z.object({ ok: z.literal(true), data: negativeExplanationSchema }), failureSchema]);
export type ExplainReply = z.infer<typeof explainReplySchema>;

/** The answer to an action (import, remedy): done, or why not. */
export const actionReplySchema = z.union([z.object({ ok: z.literal(true) }), failureSchema]);
export type ActionReply = z.infer<typeof actionReplySchema>;

export const connectionStatusSchema = z.object({
  serverUrl: z.string(),
  reachable: z.boolean(),
  authorized: z.boolean(),
  tenantName: z.string().nullable(),
  problem: connectionProblemSchema.nullable(),
  message: z.string(),
});
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;

const okWith = <T extends z.ZodType>(data: T) => z.union([z.object({ ok: z.literal(true), data }), failureSchema]);
export const searchCatalogReplySchema = okWith(searchCatalogOutput);
export type SearchCatalogReply = z.infer<typeof searchCatalogReplySchema>;
export const searchAttentionReplySchema = okWith(searchAttentionOutput);
export type SearchAttentionReply = z.infer<typeof searchAttentionReplySchema>;
export const historyReplySchema = okWith(historyOutput);
/** Open orders with a line for the SKU (newest first), `more` when there are more than shown, and the tenant's channels to name them. */
export const skuOrdersSchema = z.object({ orders: z.array(orderSchema), more: z.boolean(), channels: z.array(channelSchema) });
export type SkuOrders = z.infer<typeof skuOrdersSchema>;
export const skuOrdersReplySchema = okWith(skuOrdersSchema);
export type SkuOrdersReply = z.infer<typeof skuOrdersReplySchema>;
export type HistoryReply = z.infer<typeof historyReplySchema>;
export const tenantSettingsSchema = z.object({ notCountedAfterDays: z.number().int(), inventoryManagedElsewhere: z.boolean() });
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;
export const settingsReplySchema = okWith(tenantSettingsSchema);
export type SettingsReply = z.infer<typeof settingsReplySchema>;
export type OverlayEnabledReply = { enabled: boolean };

/** What each request type is answered with. */
export interface BackgroundReplies {
  'connection.status': ConnectionStatus;
  'listings.lookup': LookupReply;
  'listings.import': ActionReply;
  'negatives.explain': ExplainReply;
  'orders.sendToFulfillmentCenter': ActionReply;
  'orders.cancel': ActionReply;
  'sources.enableAutoFulfill': ActionReply;
  'inventory.setQuantity': ActionReply;
  'overlay.enabled': OverlayEnabledReply;
  'search.catalog': SearchCatalogReply;
  'search.attention': SearchAttentionReply;
  'orders.openForSku': SkuOrdersReply;
  'inventory.history': HistoryReply;
  'inventory.adjust': ActionReply;
  'settings.get': SettingsReply;
  'settings.update': ActionReply;
  'connection.test': ConnectionStatus;
}

/**
 * Live updates: a content script keeps a port open to the background and
 * tells it which products and listings its page shows; the background tells
 * it when a change touches one of them (or may have: after the live
 * connection was lost, every tab re-reads).
 */
export const watchMessageSchema = z.strictObject({
  type: z.literal('watch'),
  skus: z.array(skuSchema).max(limits.batchMax * 2),
  listingIds: z.array(idSchema).max(limits.batchMax * 2),
});
export type WatchMessage = z.infer<typeof watchMessageSchema>;
export type ChangedMessage = { type: 'changed' };

export const defaultServerPort = 8787;
export const defaultServerUrl = `http://127.0.0.1:${defaultServerPort}`;
