import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator } from '../src/marketplace/simulator';
import type { OrderNotification } from '../src/marketplace/simulator-webhooks';

// Orders placed on the simulated marketplace and the notifications it sends
// about them: at least once, sometimes twice, sometimes late.

interface Received {
  headers: IncomingHttpHeaders;
  body: OrderNotification;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A tiny webhook receiver; `answer` picks the status of the n-th request it gets. */
async function receiver(answer: (n: number) => number = () => 204) {
  const received: Received[] = [];
  let requests = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const status = answer(++requests);
      if (status < 300) received.push({ headers: req.headers, body: JSON.parse(text) as OrderNotification });
      res.writeHead(status).end();
      for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/orders`,
    received,
    /** Resolves once `count` deliveries have been accepted. */
    until: (count: number) =>
      new Promise<void>((resolve, reject) => {
        if (received.length >= count) return resolve();
        const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${count} deliveries`)), 5_000);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      }),
  };
}

async function post(sim: RunningSimulator, path: string, body: unknown) {
  const response = await fetch(`${sim.url}/admin/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function simulator(config: Record<string, unknown>) {
  const sim = await startSimulator();
  closers.push(() => sim.close());
  expect((await post(sim, 'accounts', { account: 'seller-1' })).status).toBe(201);
  expect((await post(sim, 'config', config)).status).toBe(200);
  await post(sim, 'listings', { account: 'seller-1', key: 'SKU-1', quantity: 10 });
  return sim;
}

const order = (externalOrderId: string, quantity = 2) => ({ account: 'seller-1', externalOrderId, lines: [{ key: 'SKU-1', quantity }], shipToCountry: 'DE' });
const quantityOf = (sim: RunningSimulator) => sim.state().listings.find((l) => l.key === 'SKU-1')?.quantity;

describe('marketplace simulator orders and notifications', () => {
  it('records an order, takes it off the listing and notifies the webhook', async () => {
    const hook = await receiver();
    const sim = await simulator({ webhookUrl: hook.url, webhookHeaders: { Authorization: 'Bearer onhand-webhook' } });
    const placed = await post(sim, 'orders', order('A-100', 3));
    expect(placed.status).toBe(201);
    expect(quantityOf(sim)).toBe(7);
    await hook.until(1);
    const [delivery] = hook.received;
    expect(delivery!.headers.authorization).toBe('Bearer onhand-webhook');
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.body).toMatchObject({
      type: 'order.created',
      account: 'seller-1',
      order: { orderId: placed.body.orderId, externalOrderId: 'A-100', shipToCountry: 'DE', status: 'open', lines: [{ key: 'SKU-1', quantity: 3 }] },
    });
    expect(delivery!.headers['x-simulator-notification-id']).toBe(delivery!.body.notificationId);
  });

  it('takes the same external order once', async () => {
    const hook = await receiver();
    const sim = await simulator({ webhookUrl: hook.url });
    const first = await post(sim, 'orders', order('A-1'));
    const again = await post(sim, 'orders', order('A-1'));
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.orderId).toBe(first.body.orderId);
    expect(quantityOf(sim)).toBe(8);
    await sim.settled();
    expect(hook.received).toHaveLength(1);
  });

  it('delivers duplicates, late enough to arrive after the cancel', async () => {
    const hook = await receiver();
    const sim = await simulator({ webhookUrl: hook.url, duplicateNotificationRate: 1, duplicateDelayMs: 800 });
    const placed = await post(sim, 'orders', order('A-2', 4));
    await hook.until(1);
    const cancelled = await post(sim, `orders/${String(placed.body.orderId)}/cancel`, {});
    expect(cancelled.body.status).toBe('cancelled');
    expect(quantityOf(sim)).toBe(10);
    await hook.until(4);
    await sim.settled();
    const seen = hook.received.map((r) => `${r.body.type}:${r.body.order.status}`);
    expect(seen).toEqual(['order.created:open', 'order.cancelled:cancelled', 'order.created:open', 'order.cancelled:cancelled']);
    const created = hook.received.filter((r) => r.body.type === 'order.created');
    expect(created[0]!.body.notificationId).toBe(created[1]!.body.notificationId);
    expect(sim.state().deliveries.map((d) => [d.type, d.duplicate, d.state])).toEqual([
      ['order.created', false, 'delivered'],
      ['order.created', true, 'delivered'],
      ['order.cancelled', false, 'delivered'],
      ['order.cancelled', true, 'delivered'],
    ]);
  });

  it('retries a failed delivery until the webhook takes it', async () => {
    const hook = await receiver((n) => (n <= 2 ? 500 : 200));
    const sim = await simulator({ webhookUrl: hook.url });
    await post(sim, 'orders', order('A-3'));
    await sim.settled();
    expect(hook.received).toHaveLength(1);
    expect(sim.state().deliveries).toMatchObject([{ state: 'delivered', attempts: 3, lastStatus: 200 }]);
  });

  it('keeps the units off the listing on a cancel without restock, and records undeliverable notifications', async () => {
    const sim = await simulator({});
    const placed = await post(sim, 'orders', order('A-4', 5));
    await post(sim, `orders/${String(placed.body.orderId)}/cancel`, { restock: false });
    expect(quantityOf(sim)).toBe(5);
    expect(sim.state().deliveries.map((d) => d.state)).toEqual(['no_webhook', 'no_webhook']);
  });

  it('refuses a webhook off loopback and admin calls that are not JSON', async () => {
    const sim = await simulator({});
    expect(await post(sim, 'config', { webhookUrl: 'https://example.com/hook' })).toMatchObject({ status: 400 });
    expect(await post(sim, 'config', { transientFailureRate: 2 })).toMatchObject({ status: 400 });
    const form = await fetch(`${sim.url}/admin/reset`, { method: 'POST', body: 'x=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    expect(sim.state().accounts).toEqual(['seller-1']);
  });
});
