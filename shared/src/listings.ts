import { z } from 'zod';
import { limits } from './limits';
import { freeText, idSchema, idempotencyKeySchema, skuSchema, text } from './common';
import { sourceQuantitySchema } from './inventory';
import { externalIdentifierSchema, marketplaceSchema } from './orders';

/** One row of a portal page, identified however the page shows it. */
export const lookupRowInput = z
  .strictObject({
    key: z.string().min(1).max(300),
    channelSku: externalIdentifierSchema.optional(),
    externalId: externalIdentifierSchema.optional(),
    displayedQuantity: z.number().int().min(-limits.quantityMax).max(limits.quantityMax).optional(),
  })
  .refine((v) => v.channelSku !== undefined || v.externalId !== undefined, { message: 'a row needs channelSku or externalId', path: ['channelSku'] });

const regionSchema = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code');

export const listingsLookupInput = z
  .strictObject({
    channelId: idSchema.optional(),
    marketplace: marketplaceSchema.optional(),
    region: regionSchema.optional(),
    rows: z.array(lookupRowInput).min(1, 'must have at least one row').max(limits.batchMax, `must have at most ${limits.batchMax} rows`),
  })
  .refine((v) => v.channelId !== undefined || v.marketplace !== undefined, { message: 'give channelId or marketplace', path: ['channelId'] })
  .refine((v) => new Set(v.rows.map((r) => r.key)).size === v.rows.length, { message: 'row keys must be unique', path: ['rows'] });

export const warningCodeSchema = z.enum(['NEGATIVE', 'UNTRACKED', 'UNMATCHED', 'DRIFT']);
export type WarningCode = z.infer<typeof warningCodeSchema>;

export const pushStateSchema = z.object({
  state: z.enum(['pending', 'pushed', 'acknowledged', 'failed']),
  desired: z.number().int(),
  pushed: z.number().int().nullable(),
  acknowledgedAt: z.string().nullable(),
});

export const lookupRowOutput = z.object({
  key: z.string(),
  match: z.enum(['tracked', 'untracked', 'unknown']),
  listingId: z.string().optional(),
  channelId: z.string().optional(),
  sku: z.string().optional(),
  title: z.string().optional(),
  fulfilledBy: z.enum(['merchant', 'marketplace']).optional(),
  sources: z.array(sourceQuantitySchema),
  publishedQuantity: z.number().int().optional(),
  push: pushStateSchema.optional(),
  warnings: z.array(z.object({ code: warningCodeSchema, message: z.string(), sourceId: z.string().optional() })),
});
export type LookupRow = z.infer<typeof lookupRowOutput>;

export const listingsLookupOutput = z.object({ rows: z.array(lookupRowOutput) });
export type LookupOutput = z.infer<typeof listingsLookupOutput>;

export const listingsReportSeenInput = z.strictObject({
  marketplace: marketplaceSchema,
  region: regionSchema.optional(),
  rows: z
    .array(
      z
        .strictObject({
          channelSku: externalIdentifierSchema.optional(),
          externalId: externalIdentifierSchema.optional(),
          title: freeText(limits.titleLengthMax).optional(),
          displayedQuantity: z.number().int().min(-limits.quantityMax).max(limits.quantityMax).optional(),
        })
        .refine((v) => v.channelSku !== undefined || v.externalId !== undefined, { message: 'a row needs channelSku or externalId', path: ['channelSku'] }),
    )
    .min(1)
    .max(limits.batchMax),
});

export const listingsImportInput = z.strictObject({
  listingId: idSchema,
  sku: skuSchema.optional(),
  title: text(limits.titleLengthMax).optional(),
  idempotencyKey: idempotencyKeySchema,
});

export const listingsSetRulesInput = z.strictObject({
  listingId: idSchema,
  percent: z.number().int().min(0).max(100).nullable().optional(),
  buffer: z.number().int().min(0).max(limits.quantityMax).nullable().optional(),
  max: z.number().int().min(0).max(limits.quantityMax).nullable().optional(),
  idempotencyKey: idempotencyKeySchema,
});
