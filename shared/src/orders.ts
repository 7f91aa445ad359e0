import { z } from 'zod';
import { limits } from './limits';
import { countrySchema, freeText, idSchema, idempotencyKeySchema, quantitySchema, skuSchema, text } from './common';

export const marketplaceSchema = z.enum(['amazon', 'ebay', 'walmart', 'shopify', 'etsy']);
export type Marketplace = z.infer<typeof marketplaceSchema>;

/** A marketplace's own identifier (seller SKU, ASIN, item id, listing id). */
export const externalIdentifierSchema = text(limits.skuLengthMax);

export const channelsCreateInput = z.strictObject({
  marketplace: marketplaceSchema,
  region: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code'),
  name: text(limits.nameLengthMax),
  sourceIds: z.array(idSchema).max(50).optional(),
  idempotencyKey: idempotencyKeySchema.optional(),
});

export const channelsUpdateInput = z.strictObject({
  channelId: idSchema,
  sourceIds: z.array(idSchema).max(50, 'must list at most 50 sources'),
  idempotencyKey: idempotencyKeySchema,
});

export const channelSchema = z.object({
  channelId: z.string(),
  marketplace: marketplaceSchema,
  region: z.string(),
  name: z.string(),
  sourceIds: z.array(z.string()),
});
export type Channel = z.infer<typeof channelSchema>;

export const fulfilledBySchema = z.enum(['merchant', 'marketplace']);
export const listingStatusSchema = z.enum(['tracked', 'untracked']);

export const listingsUpsertInput = z
  .strictObject({
    channelId: idSchema,
    sku: skuSchema,
    channelSku: externalIdentifierSchema.optional(),
    externalId: externalIdentifierSchema.optional(),
    title: text(limits.titleLengthMax).optional(),
    fulfilledBy: fulfilledBySchema,
    status: listingStatusSchema,
    idempotencyKey: idempotencyKeySchema,
  })
  .refine((v) => v.channelSku !== undefined || v.externalId !== undefined, {
    message: 'a listing needs channelSku or externalId',
    path: ['channelSku'],
  });

export const listingSchema = z.object({
  listingId: z.string(),
  channelId: z.string(),
  sku: z.string().nullable(),
  channelSku: z.string().nullable(),
  externalId: z.string().nullable(),
  title: z.string().nullable(),
  fulfilledBy: fulfilledBySchema,
  status: listingStatusSchema,
});
export type Listing = z.infer<typeof listingSchema>;

export const orderLineInput = z
  .strictObject({
    externalLineId: text(200),
    channelSku: externalIdentifierSchema.optional(),
    externalId: externalIdentifierSchema.optional(),
    quantity: quantitySchema.min(1, 'must be at least 1').max(100_000, 'must be at most 100000'),
  })
  .refine((v) => v.channelSku !== undefined || v.externalId !== undefined, {
    message: 'a line needs channelSku or externalId',
    path: ['channelSku'],
  });

export const ordersIngestInput = z
  .strictObject({
    channelId: idSchema,
    externalOrderId: text(200),
    placedAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }),
    shipTo: z.strictObject({ country: countrySchema }),
    lines: z.array(orderLineInput).min(1, 'must have at least one line').max(100, 'must have at most 100 lines'),
    idempotencyKey: idempotencyKeySchema.optional(),
  })
  .refine((v) => new Set(v.lines.map((l) => l.externalLineId)).size === v.lines.length, {
    message: 'externalLineId must be unique within the order',
    path: ['lines'],
  });

export const routingReasonSchema = z.enum([
  'MARKETPLACE_FULFILLED',
  'ROUTED_TO_FULFILLMENT_CENTER',
  'ROUTED_TO_SOURCE',
  'AUTO_FULFILL_OFF',
  'FULFILLMENT_CENTER_CANNOT_FILL',
  'UNTRACKED_LISTING',
  'OVERSOLD',
  'UNMATCHED',
]);

export const lineStateSchema = z.enum(['allocated', 'unmatched', 'cancelled', 'shipped']);

export const orderLineSchema = z.object({
  lineId: z.string(),
  externalLineId: z.string(),
  sku: z.string().optional(),
  listingId: z.string().optional(),
  sourceId: z.string().optional(),
  quantity: z.number().int(),
  reason: routingReasonSchema,
  trace: z.array(z.object({ sourceId: z.string(), skipped: z.string() })),
  state: lineStateSchema,
});
export type OrderLine = z.infer<typeof orderLineSchema>;

export const orderSchema = z.object({
  orderId: z.string(),
  channelId: z.string(),
  externalOrderId: z.string(),
  placedAt: z.string(),
  shipTo: z.object({ country: z.string() }),
  status: z.enum(['open', 'shipped', 'cancelled']),
  lines: z.array(orderLineSchema),
});
export type Order = z.infer<typeof orderSchema>;

const lineIdsSchema = z.array(idSchema).min(1, 'must name at least one line').max(100).optional();

export const ordersCancelInput = z.strictObject({
  channelId: idSchema,
  externalOrderId: text(200),
  lineIds: lineIdsSchema,
  idempotencyKey: idempotencyKeySchema.optional(),
});

export const ordersSendToFulfillmentCenterInput = z.strictObject({
  orderId: idSchema,
  lineIds: lineIdsSchema,
  sourceId: idSchema.optional(),
  idempotencyKey: idempotencyKeySchema,
});

export const ordersMarkShippedInput = z.strictObject({
  orderId: idSchema,
  lineIds: lineIdsSchema,
  idempotencyKey: idempotencyKeySchema,
});

export const ordersRematchInput = z.strictObject({ orderId: idSchema, idempotencyKey: idempotencyKeySchema });

export const ordersGetInput = z.strictObject({ orderId: idSchema });
export const ordersListInput = z
  .strictObject({
    status: z.enum(['open', 'shipped', 'cancelled']).optional(),
    /** Only orders with a line for this SKU (e.g. a SKU's open orders). */
    sku: skuSchema.optional(),
    cursor: freeText(200).optional(),
    limit: z.number().int().min(1).max(100).optional(),
  })
  .optional();

export const settingsUpdateInput = z.strictObject({
  inventoryManagedElsewhere: z.boolean().optional(),
  notCountedAfterDays: z.number().int('must be an integer').min(1).max(3650).optional(),
  idempotencyKey: idempotencyKeySchema,
});

export const negativesExplainInput = z.strictObject({ sku: skuSchema, sourceId: idSchema });

export const remedySchema = z.object({
  action: z.enum(['SEND_TO_FULFILLMENT_CENTER', 'ENABLE_AUTO_FULFILL', 'IMPORT_LISTING', 'SET_QUANTITY', 'CANCEL_ORDER']),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  label: z.string(),
});

export const causeSchema = z.object({
  reason: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
  code: z.string(),
  orderId: z.string().optional(),
  lineId: z.string().optional(),
  listingId: z.string().optional(),
  entryIds: z.array(z.string()),
  message: z.string(),
  remedies: z.array(remedySchema),
});
export type Cause = z.infer<typeof causeSchema>;

