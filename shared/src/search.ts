import { z } from 'zod';
import { limits } from './limits';
import { sourceQuantitySchema } from './inventory';
import { pushStateSchema } from './listings';
import { causeSchema, marketplaceSchema } from './orders';
import { freeText } from './common';

/**
 * The popup's quick inventory check: one search over the whole catalogue
 * (SKU, title, and every listing identifier such as an ASIN or an eBay item
 * id), and the "needs attention" list behind the toolbar badge.
 */
export const searchCatalogInput = z.strictObject({
  query: freeText(limits.searchQueryLengthMax),
  limit: z.number().int().min(1).max(50).optional(),
});
export type SearchCatalogInput = z.infer<typeof searchCatalogInput>;

export const searchAttentionInput = z.strictObject({}).optional();

export const searchWarningSchema = z.object({
  code: z.enum(['NEGATIVE', 'UNTRACKED', 'PUSH_FAILED', 'DRIFT']),
  message: z.string(),
  sourceId: z.string().optional(),
  listingId: z.string().optional(),
});
export type SearchWarning = z.infer<typeof searchWarningSchema>;

export const searchListingSchema = z.object({
  listingId: z.string(),
  channelId: z.string(),
  channelName: z.string(),
  marketplace: marketplaceSchema,
  status: z.enum(['tracked', 'untracked']),
  fulfilledBy: z.enum(['merchant', 'marketplace']),
  channelSku: z.string().nullable(),
  externalId: z.string().nullable(),
  publishedQuantity: z.number().int().optional(),
  push: pushStateSchema.optional(),
});
export type SearchListing = z.infer<typeof searchListingSchema>;

export const catalogResultSchema = z.object({
  sku: z.string(),
  title: z.string(),
  isBundle: z.boolean(),
  /** Why it matched: 'sku', 'title' or 'listing' (a channel SKU or marketplace id). */
  matchedOn: z.enum(['sku', 'title', 'listing']),
  sources: z.array(sourceQuantitySchema),
  totalAvailable: z.number().int(),
  listings: z.array(searchListingSchema),
  warnings: z.array(searchWarningSchema),
});
export type CatalogResult = z.infer<typeof catalogResultSchema>;

export const searchCatalogOutput = z.object({ results: z.array(catalogResultSchema) });
export type SearchCatalogOutput = z.infer<typeof searchCatalogOutput>;

export const attentionNegativeSchema = z.object({
  sku: z.string(),
  title: z.string().nullable(),
  sourceId: z.string(),
  sourceName: z.string(),
  available: z.number().int(),
  since: z.string().nullable(),
  /** The server's explanation with remedies (present for the first negatives; ask `negatives.explain` for the rest). */
  causes: z.array(causeSchema).optional(),
});
export type AttentionNegative = z.infer<typeof attentionNegativeSchema>;

export const attentionUntrackedSchema = z.object({
  listingId: z.string(),
  channelId: z.string(),
  channelName: z.string(),
  marketplace: marketplaceSchema,
  channelSku: z.string().nullable(),
  externalId: z.string().nullable(),
  title: z.string().nullable(),
  sku: z.string().nullable(),
});
export type AttentionUntracked = z.infer<typeof attentionUntrackedSchema>;

export const attentionFailedPushSchema = z.object({
  listingId: z.string(),
  channelId: z.string(),
  channelName: z.string(),
  marketplace: marketplaceSchema,
  sku: z.string(),
  desired: z.number().int(),
  attempts: z.number().int(),
  error: z.string().nullable(),
});
export type AttentionFailedPush = z.infer<typeof attentionFailedPushSchema>;

/** A tracked listing whose portal page showed another quantity than onhand publishes. */
export const attentionDriftSchema = z.object({
  listingId: z.string(),
  channelId: z.string(),
  channelName: z.string(),
  marketplace: marketplaceSchema,
  sku: z.string(),
  channelSku: z.string().nullable(),
  externalId: z.string().nullable(),
  /** What the page showed when last seen. */
  displayed: z.number().int(),
  /** What onhand publishes now. */
  published: z.number().int(),
  seenAt: z.string(),
});
export type AttentionDrift = z.infer<typeof attentionDriftSchema>;

export const searchAttentionOutput = z.object({
  counts: z.object({
    negatives: z.number().int(),
    untracked: z.number().int(),
    failedPushes: z.number().int(),
    drifting: z.number().int(),
    total: z.number().int(),
  }),
  negatives: z.array(attentionNegativeSchema),
  untracked: z.array(attentionUntrackedSchema),
  failedPushes: z.array(attentionFailedPushSchema),
  drifting: z.array(attentionDriftSchema),
});
export type SearchAttentionOutput = z.infer<typeof searchAttentionOutput>;
