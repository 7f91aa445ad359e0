import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { startServer, type RunningServer } from '../src/http/server';
import { startSimulator, type RunningSimulator } from '../src/marketplace/simulator';
import { simulatorConnectors } from '../src/marketplace/simulator-accounts';
import type { AppRouter } from '../src/trpc/router';

/**
 * The demo's loop, end to end: onhand pushes published quantities to the
 * marketplace simulator, and the simulator's orders (delivered at least once,
 * duplicates and all) come back as onhand orders, taken once.
 */
describe('orders from the marketplace simulator', () => {
  let sim: RunningSimulator;
  let server: RunningServer;
  const secret = 'webhook-secret-for-the-test-0123456789';

  beforeAll(async () => {
    sim = await startSimulator({ config: { duplicateNotificationRate: 1, duplicateDelayMs: 20 } });
    server = await startServer({ seedDemo: true, logLevel: 'silent', connectorFor: simulatorConnectors(sim.url), simulatorWebhookSecret: secret });
    await fetch(`${sim.url}/admin/config`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ webhookUrl: `${server.url}/webhooks/simulator`, webhookHeaders: { Authorization: `Bearer ${secret}` } }),
    });
  });
  afterAll(async () => {
    await server?.close();
    await sim?.close();
  });

  const postJson = (path: string, body: unknown) =>
    fetch(`${sim.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  it('an order placed on the marketplace is taken once by onhand; its cancel gives the stock back', async () => {
    const demo = server.demo!;
    const api = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/trpc`, headers: { Authorization: `Bearer ${demo.sellerToken}` } })] });
    const account = `${demo.tenantId}/${demo.channelIds.etsy}`;
    // Wait for onhand's first push, which creates the simulator account.
    const deadline = Date.now() + 15_000;
    while (!sim.state().accounts.includes(account)) {
      if (Date.now() > deadline) throw new Error('onhand never pushed to the Etsy account');
      await new Promise((r) => setTimeout(r, 100));
    }
    const mfBefore = (await api.inventory.bySkus.query({ skus: ['DEMO-MUG-11OZ'] })).items[0]!.sources.find((s) => s.sourceId === demo.sourceIds.MF)!;
    const placed = await postJson('/admin/orders', { account, externalOrderId: 'ETSY-900', shipToCountry: 'US', lines: [{ key: 'DEMO-MUG-11OZ', quantity: 2 }] });
    expect(placed.status).toBeLessThan(300);
    await sim.settled();
    const { orders } = await api.orders.list.query({});
    const taken = orders.filter((o) => o.externalOrderId === 'ETSY-900');
    expect(taken).toHaveLength(1);
    expect(taken[0]?.lines[0]).toMatchObject({ sku: 'DEMO-MUG-11OZ', state: 'allocated', quantity: 2 });
    expect(sim.state().deliveries.filter((d) => d.type === 'order.created' && d.state === 'delivered').length).toBeGreaterThanOrEqual(2);

    await postJson(`/admin/orders/${String(placed.body.orderId)}/cancel`, {});
    await sim.settled();
    expect((await api.orders.get.query({ orderId: taken[0]!.orderId })).status).toBe('cancelled');
    const mfAfter = (await api.inventory.bySkus.query({ skus: ['DEMO-MUG-11OZ'] })).items[0]!.sources.find((s) => s.sourceId === demo.sourceIds.MF)!;
    expect(mfAfter.committed).toBe(mfBefore.committed);
  });

  it('refuses notifications without the shared secret', async () => {
    const response = await fetch(`${server.url}/webhooks/simulator`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
  });
});
