import { z } from 'zod';
import { limits } from '@onhand/shared';

// What the simulator accepts: its configuration and the request bodies of
// its API, checked at the edge so the model only ever sees valid input.

const rate = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

/** Loopback only: the simulator must never be made to call out to the network. */
const loopbackUrl = z
  .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
  .refine((u) => ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(u).hostname), 'must point at 127.0.0.1, localhost or [::1]');

export const configPatchSchema = z.strictObject({
  /** Requests per second per account on /v1; 0 turns the limit off. */
  rateLimitPerSecond: z.number().min(0).max(100_000).optional(),
  /** Share of /v1 requests refused with 503 before anything happens. */
  transientFailureRate: rate.optional(),
  /** Share of quantity writes applied but answered 503, as when a response is lost on the way back. */
  lostResponseRate: rate.optional(),
  latencyMs: z.number().int().min(0).max(60_000).optional(),
  /** Same seed, same sequence of requests: the same faults. */
  seed: z.number().int().optional(),
  /** Refuse writes to listings that do not exist instead of creating them. */
  strict: z.boolean().optional(),
  webhookUrl: loopbackUrl.nullable().optional(),
  webhookHeaders: z.record(z.string().min(1).max(100), z.string().max(2_000)).optional(),
  /** Share of order notifications delivered a second time, `duplicateDelayMs` later. */
  duplicateNotificationRate: rate.optional(),
  duplicateDelayMs: z.number().int().min(0).max(60_000).optional(),
});
export type SimulatorConfigPatch = z.infer<typeof configPatchSchema>;
export type SimulatorConfig = Required<Omit<SimulatorConfigPatch, 'webhookUrl'>> & { webhookUrl: string | null };

export const defaultConfig: SimulatorConfig = {
  rateLimitPerSecond: 0,
  transientFailureRate: 0,
  lostResponseRate: 0,
  latencyMs: 0,
  seed: 1,
  strict: false,
  webhookUrl: null,
  webhookHeaders: {},
  duplicateNotificationRate: 0,
  duplicateDelayMs: 50,
};

const key = z.string().min(1).max(limits.skuLengthMax);
const quantity = z.number().int().min(0).max(limits.quantityMax);
export const quantityBodySchema = z.strictObject({ quantity, expectedQuantity: quantity.nullable().optional() });
export const accountBodySchema = z.strictObject({ account: z.string().min(1).max(100), token: z.string().min(16).max(200).optional() });
export const listingBodySchema = z.strictObject({ account: z.string().min(1), key, quantity });
export const orderBodySchema = z.strictObject({
  account: z.string().min(1),
  externalOrderId: z.string().min(1).max(200),
  lines: z.array(z.strictObject({ key, quantity: quantity.min(1) })).min(1).max(100),
  shipToCountry: z.string().regex(/^[A-Z]{2}$/),
});
export const cancelBodySchema = z.strictObject({ restock: z.boolean().optional() });
