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
  text,
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

/**
 * inventory.setQuantities: many counts at one source in one call (a CSV
 * import sends its rows this way). Each row is validated on its own, so an
 * error names `rows.<index>.<field>`; a SKU may appear once per call.
 */
export const setQuantitiesRowSchema = z.strictObject({
  sku: skuSchema,
  onHand: quantitySchema,
  /** Creates the product when the SKU is new; an existing product keeps its title. */
  title: text(limits.titleLengthMax).optional(),
  note: noteSchema.optional(),
});

export const setQuantitiesInput = z.strictObject({
  sourceId: idSchema,
  rows: z
    .array(setQuantitiesRowSchema)
    .min(1, 'must hold at least one row')
    .max(limits.batchMax, `must hold at most ${limits.batchMax} rows`)
    .superRefine((rows, ctx) => {
      const firstIndex = new Map<string, number>();
      rows.forEach((row, index) => {
        const earlier = firstIndex.get(row.sku);
        if (earlier === undefined) firstIndex.set(row.sku, index);
        else ctx.addIssue({ code: 'custom', path: [index, 'sku'], message: `is already on row ${earlier}` });
      });
    }),
  idempotencyKey: idempotencyKeySchema,
});
export type SetQuantitiesInput = z.infer<typeof setQuantitiesInput>;

export const setQuantitiesOutput = z.object({
  /** One per input row, in input order; `entryId` is null when the count changed nothing (no ledger entry). */
  rows: z.array(z.object({ sku: z.string(), onHand: z.number().int(), delta: z.number().int(), entryId: z.string().nullable() })),
  entriesWritten: z.number().int(),
  productsCreated: z.number().int(),
  /** True when the idempotency key was used before: this is the first call's result and nothing was written now. */
  replayed: z.boolean(),
});
export type SetQuantitiesOutput = z.infer<typeof setQuantitiesOutput>;

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
