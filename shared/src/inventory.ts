import { z } from 'zod';
import { limits } from './limits';
import {
  deltaSchema,
  idSchema,
  idempotencyKeySchema,
  noteSchema,
  quantitySchema,
  skuSchema,
  sourceKindSchema,
} from './common';

export const adjustReasonSchema = z.enum(['received', 'damaged', 'lost', 'found', 'returned', 'correction']);
export type AdjustReason = z.infer<typeof adjustReasonSchema>;

/** Every reason a ledger entry can carry. */
export const ledgerReasonSchema = z.enum([
  'count',
  'received',
  'damaged',
  'lost',
  'found',
  'returned',
  'correction',
  'order_allocated',
  'order_cancelled',
  'order_shipped',
  'sent_to_fulfillment_center',
]);
export type LedgerReason = z.infer<typeof ledgerReasonSchema>;

export const bucketSchema = z.enum(['on_hand', 'committed']);
export type Bucket = z.infer<typeof bucketSchema>;

export const bySkusInput = z.strictObject({
  skus: z
    .array(skuSchema)
    .min(1, 'must name at least one SKU')
    .max(limits.batchMax, `must name at most ${limits.batchMax} SKUs`),
});

export const sourceQuantitySchema = z.object({
  sourceId: z.string(),
  sourceName: z.string(),
  kind: sourceKindSchema,
  onHand: z.number().int(),
  committed: z.number().int(),
  available: z.number().int(),
});
export type SourceQuantity = z.infer<typeof sourceQuantitySchema>;

export const inventoryItemSchema = z.object({
  sku: z.string(),
  title: z.string(),
  isBundle: z.boolean(),
  sources: z.array(sourceQuantitySchema),
  totalAvailable: z.number().int(),
});
export type InventoryItem = z.infer<typeof inventoryItemSchema>;

export const bySkusOutput = z.object({
  items: z.array(inventoryItemSchema),
  unknownSkus: z.array(z.string()),
});
export type BySkusOutput = z.infer<typeof bySkusOutput>;

export const setQuantityInput = z.strictObject({
  sku: skuSchema,
  sourceId: idSchema,
  onHand: quantitySchema,
  idempotencyKey: idempotencyKeySchema,
  note: noteSchema.optional(),
});

export const adjustInput = z.strictObject({
  sku: skuSchema,
  sourceId: idSchema,
  delta: deltaSchema,
  reason: adjustReasonSchema,
  idempotencyKey: idempotencyKeySchema,
  note: noteSchema.optional(),
});

export const historyInput = z.strictObject({
  sku: skuSchema,
  sourceId: idSchema.optional(),
  cursor: z.string().max(100).optional(),
  limit: z.number().int().min(1).max(limits.historyPageMax).optional(),
});

export const ledgerEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  sku: z.string(),
  sourceId: z.string(),
  bucket: bucketSchema,
  delta: z.number().int(),
  balanceAfter: z.number().int(),
  reason: ledgerReasonSchema,
  actor: z.string(),
  orderId: z.string().optional(),
  orderLineId: z.string().optional(),
  note: z.string().optional(),
});
export type LedgerEntry = z.infer<typeof ledgerEntrySchema>;

export const balanceSchema = z.object({
  sku: z.string(),
  sourceId: z.string(),
  onHand: z.number().int(),
  committed: z.number().int(),
  available: z.number().int(),
});
export type Balance = z.infer<typeof balanceSchema>;

export const inventoryChangeOutput = z.object({
  entry: ledgerEntrySchema,
  balance: balanceSchema,
});
export type InventoryChangeOutput = z.infer<typeof inventoryChangeOutput>;

export const historyOutput = z.object({
  entries: z.array(ledgerEntrySchema),
  nextCursor: z.string().nullable(),
});
export type HistoryOutput = z.infer<typeof historyOutput>;
