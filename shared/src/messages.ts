import { z } from 'zod';
import { limits } from './limits';
import { bySkusOutput } from './inventory';

/**
 * Messages from the extension's content scripts and pages to its background
 * worker. The background is the only part that holds the token and talks to
 * the server; it validates every message with these schemas and offers no
 * "fetch anything" message.
 */
export const backgroundRequestSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('inventory.bySkus'),
    skus: z.array(z.string().min(1).max(limits.skuLengthMax)).min(1).max(limits.batchMax),
  }),
  z.strictObject({ type: z.literal('connection.status') }),
]);
export type BackgroundRequest = z.infer<typeof backgroundRequestSchema>;

/** Why a call through the background failed, in words a seller can act on. */
export const connectionProblemSchema = z.enum(['unreachable', 'unauthorized', 'not-configured', 'error']);
export type ConnectionProblem = z.infer<typeof connectionProblemSchema>;

export const failureSchema = z.object({
  ok: z.literal(false),
  problem: connectionProblemSchema,
  message: z.string(),
});

export const bySkusReplySchema = z.union([
  z.object({ ok: z.literal(true), data: bySkusOutput }),
  failureSchema,
]);
export type BySkusReply = z.infer<typeof bySkusReplySchema>;

export const connectionStatusSchema = z.object({
  serverUrl: z.string(),
  reachable: z.boolean(),
  authorized: z.boolean(),
  tenantName: z.string().nullable(),
  problem: connectionProblemSchema.nullable(),
  message: z.string(),
});
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;

export const defaultServerPort = 8787;
export const defaultServerUrl = `http://127.0.0.1:${defaultServerPort}`;
