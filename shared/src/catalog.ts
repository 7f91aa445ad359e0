import { z } from 'zod';
import { limits } from './limits';
import { countrySchema, freeText, idSchema, idempotencyKeySchema, quantitySchema, skuSchema, sourceKindSchema, text } from './common';

export const sourceSchema = z.object({
  sourceId: z.string(),
  name: z.string(),
  kind: sourceKindSchema,
  isDefault: z.boolean(),
  autoFulfill: z.boolean(),
  shipsTo: z.array(z.string()),
  priority: z.number().int(),
});
export type Source = z.infer<typeof sourceSchema>;

const shipsToSchema = z.array(countrySchema).max(250, 'must list at most 250 countries');
const prioritySchema = z.number().int('must be an integer').min(0).max(1000);

export const sourcesCreateInput = z.strictObject({
  name: text(limits.nameLengthMax),
  kind: sourceKindSchema,
  autoFulfill: z.boolean().optional(),
  shipsTo: shipsToSchema.optional(),
  priority: prioritySchema.optional(),
  isDefault: z.boolean().optional(),
  idempotencyKey: idempotencyKeySchema,
});

export const sourcesUpdateInput = z.strictObject({
  sourceId: idSchema,
  name: text(limits.nameLengthMax).optional(),
  autoFulfill: z.boolean().optional(),
  shipsTo: shipsToSchema.optional(),
  priority: prioritySchema.optional(),
  isDefault: z.literal(true, 'can only be set to true: make another source the default instead').optional(),
  idempotencyKey: idempotencyKeySchema,
});

export const bundleComponentSchema = z.strictObject({
  sku: skuSchema,
  quantity: quantitySchema.min(1, 'must be at least 1'),
});

export const productsUpsertInput = z.strictObject({
  sku: skuSchema,
  title: text(limits.titleLengthMax),
  components: z
    .array(bundleComponentSchema)
    .max(limits.bundleComponentsMax, `must list at most ${limits.bundleComponentsMax} components`)
    .optional(),
  idempotencyKey: idempotencyKeySchema,
});

export const productSchema = z.object({
  sku: z.string(),
  title: z.string(),
  isBundle: z.boolean(),
  components: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
});
export type Product = z.infer<typeof productSchema>;

export const productsSearchInput = z.strictObject({
  query: freeText(limits.searchQueryLengthMax),
  limit: z.number().int().min(1).max(100).optional(),
});
