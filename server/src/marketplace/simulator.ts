import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { z } from 'zod';
import { MarketplaceModel, type Answer } from './simulator-model';
import {
  accountBodySchema,
  cancelBodySchema,
  configPatchSchema,
  listingBodySchema,
  orderBodySchema,
  quantityBodySchema,
  type SimulatorConfigPatch,
} from './simulator-schemas';
import { WebhookDeliverer, type DeliveryRecord } from './simulator-webhooks';

// A stand-in marketplace inventory API over plain node:http, with its own
// in-memory state: the thing onhand's connector talks to in the demo and in
// tests. Loopback only: it is a test double and must never face a network.
//
//   GET  /v1/listings                       the account's listings
//   GET  /v1/listings/:key                  { key, quantity, version }
//   PUT  /v1/listings/:key/quantity         { quantity, expectedQuantity? } + Idempotency-Key
//   POST /admin/accounts                    { account, token? } → { account, token }
//   POST /admin/config                      partial config → full config
//   POST /admin/listings                    { account, key, quantity }
//   POST /admin/orders                      { account, externalOrderId, lines, shipToCountry }
//   POST /admin/orders/:id/cancel           { restock? }
//   POST /admin/reset                       empty marketplace, default config
//   GET  /admin/state                       everything, for tests

export interface SimulatorOptions {
  /** 0 or omitted: any free port. */
  port?: number;
  config?: SimulatorConfigPatch;
  /** Clock for the rate limiter and timestamps; tests may pass a fake one. */
  now?: () => number;
  /** Used for webhook deliveries. */
  fetchImpl?: typeof fetch;
}

export type SimulatorState = ReturnType<MarketplaceModel['snapshot']> & { deliveries: DeliveryRecord[] };

export interface RunningSimulator {
  url: string;
  close(): Promise<void>;
  state(): SimulatorState;
  /** Resolves when every order notification has been delivered or given up on. */
  settled(): Promise<void>;
}

/** Bodies are small JSON documents; anything bigger is a mistake or abuse. */
const maxBodyBytes = 64 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const model = new MarketplaceModel(options.now);
  if (options.config) model.configure(parse(configPatchSchema, options.config));
  const webhooks = new WebhookDeliverer(options.fetchImpl);
  const state = (): SimulatorState => ({ ...model.snapshot(), deliveries: webhooks.deliveries() });

  const notify = (type: 'order.created' | 'order.cancelled', order: Parameters<WebhookDeliverer['notify']>[1]) => {
    const { webhookUrl, webhookHeaders, duplicateDelayMs } = model.config;
    const duplicate = model.duplicateNext() ? duplicateDelayMs : null;
    const occurredAt = new Date(options.now?.() ?? Date.now()).toISOString();
    webhooks.notify(type, order, occurredAt, { url: webhookUrl, headers: webhookHeaders }, duplicate);
  };

  async function route(req: IncomingMessage): Promise<Answer> {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeSegment);
    const method = req.method ?? 'GET';

    if (parts[0] === 'v1' && parts[1] === 'listings') {
      const account = model.accountFor(req.headers.authorization);
      if (!account) return { status: 401, body: { error: 'missing or unknown bearer token' }, headers: { 'WWW-Authenticate': 'Bearer' } };
      const latency = model.config.latencyMs;
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      // Parse before admitting: a malformed request is the caller's bug, not load.
      const body = method === 'PUT' && parts.length === 4 && parts[3] === 'quantity' ? parse(quantityBodySchema, await readJson(req)) : undefined;
      const idempotencyKey = header(req, 'idempotency-key');
      if (body && !idempotencyKey) throw new HttpError(400, 'Idempotency-Key header is required');
      const refused = model.admit(account);
      if (refused) return refused;
      if (method === 'GET' && parts.length === 2) return model.listListings(account);
      if (method === 'GET' && parts.length === 3) return model.getListing(account, parts[2]!);
      if (body && idempotencyKey) return model.putQuantity(account, parts[2]!, body, idempotencyKey);
      const known = parts.length === 2 || parts.length === 3 || (parts.length === 4 && parts[3] === 'quantity');
      throw new HttpError(known ? 405 : 404, `${method} ${url.pathname} is not supported`);
    }

    if (parts[0] === 'admin') {
      const path = parts.slice(1).join('/');
      if (method === 'GET' && path === 'state') return { status: 200, body: state() };
      if (method !== 'POST') throw new HttpError(405, `${method} ${url.pathname} is not supported`);
      const body = await readJson(req);
      if (path === 'accounts') {
        const input = parse(accountBodySchema, body);
        return model.addAccount(input.account, input.token);
      }
      if (path === 'config') return { status: 200, body: model.configure(parse(configPatchSchema, body)) };
      if (path === 'reset') {
        model.reset();
        webhooks.reset();
        return { status: 200, body: { reset: true } };
      }
      if (path === 'listings') {
        const input = parse(listingBodySchema, body);
        return model.seedListing(input.account, input.key, input.quantity);
      }
      if (path === 'orders') {
        const { answer, placed } = model.placeOrder(parse(orderBodySchema, body));
        if (placed) notify('order.created', placed);
        return answer;
      }
      if (parts.length === 4 && parts[1] === 'orders' && parts[3] === 'cancel') {
        const { answer, cancelled } = model.cancelOrder(parts[2]!, parse(cancelBodySchema, body).restock);
        if (cancelled) notify('order.cancelled', cancelled);
        return answer;
      }
    }
    throw new HttpError(404, `${method} ${url.pathname} is not supported`);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    route(req)
      .catch((err: unknown): Answer => {
        if (err instanceof HttpError) return { status: err.status, body: { error: err.message } };
        return { status: 500, body: { error: err instanceof Error ? err.message : 'internal error' } };
      })
      .then((answer) => {
        if (res.headersSent || res.destroyed) return;
        res.writeHead(answer.status, { ...answer.headers, 'Content-Type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    state,
    settled: () => webhooks.settled(),
    close: () =>
      new Promise<void>((resolve) => {
        webhooks.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new HttpError(400, issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid body');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in path');
  }
}

/**
 * Requires a JSON content type: a browser page cannot send one cross-origin
 * without a preflight this server never grants, so a web page the developer
 * happens to open cannot drive the simulator.
 */
async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) throw new HttpError(415, 'Content-Type must be application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBodyBytes) throw new HttpError(413, `body larger than ${maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

export type { SimulatorConfig, SimulatorConfigPatch } from './simulator-schemas';
export type { DeliveryRecord, OrderNotification } from './simulator-webhooks';
