import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Db } from '../db/database';
import { findChannel } from '../db/repositories/channels';
import { findTenant } from '../db/repositories/tenants';
import { AppError } from '../errors';
import { cancelOrder } from '../usecases/order-lifecycle';
import { ingestOrder } from '../usecases/orders';

const notificationSchema = z.object({
  notificationId: z.string().min(1).max(200),
  type: z.enum(['order.created', 'order.cancelled']),
  /** `<tenantId>/<channelId>`: the account onhand created for that channel (see simulator-accounts.ts). */
  account: z.string().regex(/^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+$/),
  order: z.object({
    externalOrderId: z.string().min(1).max(200),
    placedAt: z.string(),
    shipToCountry: z.string().regex(/^[A-Z]{2}$/),
    lines: z.array(z.object({ lineId: z.string().min(1).max(200), key: z.string().min(1).max(255), quantity: z.number().int().min(1).max(100_000) })).min(1).max(100),
  }),
});

const bodyMaxBytes = 256_000;

/**
 * Order notifications from the marketplace simulator (at least once: with
 * duplicates, and a cancel may overtake its order). Each becomes
 * `orders.ingest` or `orders.cancel` for the channel the account belongs to;
 * both are idempotent on (channel, external order id), so repeats change
 * nothing. Answers 2xx only once the change is committed, so the simulator
 * retries anything else.
 */
export async function receiveSimulatorNotification(db: Db, secret: string, req: IncomingMessage, res: ServerResponse, afterChange: () => void): Promise<void> {
  const reply = (status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const given = Buffer.from(/^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const expected = Buffer.from(secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply(401, { error: 'unknown sender' });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > bodyMaxBytes) return reply(413, { error: 'body too large' });
    chunks.push(chunk as Buffer);
  }
  let parsed;
  try {
    parsed = notificationSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
  } catch {
    return reply(400, { error: 'not JSON' });
  }
  if (!parsed.success) return reply(400, { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  const { type, account, order } = parsed.data;
  const [tenantId = '', channelId = ''] = account.split('/');
  if (!(await findTenant(db, tenantId)) || !(await findChannel(db, tenantId, channelId))) return reply(404, { error: 'unknown account' });
  const scope = { db, tenantId, actor: 'marketplace:simulator' };
  try {
    if (type === 'order.created') {
      const placed = await ingestOrder(scope, {
        channelId,
        externalOrderId: order.externalOrderId,
        placedAt: new Date(order.placedAt).toISOString(),
        shipTo: { country: order.shipToCountry },
        lines: order.lines.map((l) => ({ externalLineId: l.lineId, channelSku: l.key, externalId: l.key, quantity: l.quantity })),
      });
      reply(200, { orderId: placed.orderId, status: placed.status });
    } else {
      const cancelled = await cancelOrder(scope, { channelId, externalOrderId: order.externalOrderId });
      reply(200, { tombstoned: cancelled.tombstoned });
    }
    afterChange();
  } catch (error) {
    if (error instanceof AppError && error.code !== 'TOO_MANY_REQUESTS') return reply(422, { error: error.message });
    throw error;
  }
}
