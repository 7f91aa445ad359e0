// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Order, SearchAttentionOutput, SourceQuantity } from '@onhand/shared';
import { fakeAsk } from './fake-ask';
import { AttentionView } from './attention-view';
import { OpenOrders } from './open-orders';

const hostile = '<img src=x onerror=alert(1)>';
const wait = (ms = 0) => new Promise((r) => setTimeout(r, ms));
const container = document.createElement('div');
document.body.append(container);
afterEach(() => render(null, container));


const sources: SourceQuantity[] = [
  { sourceId: 'mf', sourceName: 'MF', kind: 'merchant', onHand: 0, committed: 1, available: -1 },
  { sourceId: 'fba', sourceName: 'FBA', kind: 'fba', onHand: 40, committed: 0, available: 40 },
  { sourceId: 'dl', sourceName: 'Deliverr', kind: 'deliverr', onHand: 9, committed: 0, available: 9 },
];

const fallbackOrder: Order = {
  orderId: 'ord_1',
  channelId: 'chn_ebay',
  externalOrderId: `EB-${hostile}`,
  placedAt: '2026-11-20T10:00:00Z',
  shipTo: { country: 'US' },
  status: 'open',
  lines: [
    {
      lineId: 'ln_1',
      externalLineId: '1',
      sku: 'CANDLE',
      sourceId: 'mf',
      quantity: 1,
      reason: 'AUTO_FULFILL_OFF',
      trace: [
        { sourceId: 'dl', skipped: 'AUTO_FULFILL_OFF' },
        { sourceId: 'fba', skipped: 'NOT_SOLD_ON_CHANNEL' },
      ],
      state: 'allocated',
    },
    { lineId: 'ln_2', externalLineId: '2', sku: 'OTHER', sourceId: 'mf', quantity: 5, reason: 'ROUTED_TO_SOURCE', trace: [], state: 'allocated' },
  ],
};
const normalOrder: Order = {
  ...fallbackOrder,
  orderId: 'ord_2',
  channelId: 'chn_amazon',
  externalOrderId: 'AMZ-2',
  lines: [{ lineId: 'ln_3', externalLineId: '1', sku: 'CANDLE', sourceId: 'fba', quantity: 2, reason: 'ROUTED_TO_FULFILLMENT_CENTER', trace: [], state: 'allocated' }],
};
const channels = [
  { channelId: 'chn_ebay', marketplace: 'ebay' as const, region: 'US', name: 'eBay US', sourceIds: ['mf', 'dl'] },
  { channelId: 'chn_amazon', marketplace: 'amazon' as const, region: 'US', name: 'Amazon US', sourceIds: [] },
];

describe('OpenOrders', () => {
  it("lists the SKU's lines of open orders: order, channel, quantity, source and the reason in words; the trace on demand; all as text", async () => {
    const { ask, calls } = fakeAsk({ 'orders.openForSku': () => ({ ok: true, data: { orders: [fallbackOrder, normalOrder], more: false, channels } }) });
    render(<OpenOrders ask={ask} sku="CANDLE" sources={sources} refreshTick={0} onChanged={() => {}} />, container);
    // Polled, not a fixed pause: a busy machine may take longer than any pause.
    await vi.waitFor(() => expect(container.querySelectorAll('[data-order]')).toHaveLength(2));
    expect(calls).toEqual([{ type: 'orders.openForSku', sku: 'CANDLE' }]);
    const items = [...container.querySelectorAll<HTMLElement>('[data-order]')];
    expect(items.map((i) => i.getAttribute('data-line'))).toEqual(['ln_1', 'ln_3']); // only CANDLE's lines
    const [fallback, normal] = items;
    expect(fallback?.querySelector('[data-part="order-id"]')?.textContent).toBe(`EB-${hostile}`);
    expect(container.querySelector('img')).toBeNull();
    expect(fallback?.textContent).toContain('eBay US');
    expect(fallback?.querySelector('[data-part="allocation"]')?.textContent).toBe('1 from MF · fallback');
    expect(fallback?.getAttribute('data-reason')).toBe('AUTO_FULFILL_OFF');
    expect(fallback?.querySelector('[data-part="reason"]')?.textContent).toBe(
      "A fulfillment center's quantity is synced to this channel but its auto-fulfill is off: MF, the default source, took it (it can go negative) until the order is sent to the fulfillment center.",
    );
    const trace = fallback?.querySelector<HTMLDetailsElement>('details[data-part="trace"]');
    expect(trace?.open).toBe(false); // on demand
    expect([...(trace?.querySelectorAll('li') ?? [])].map((li) => li.textContent)).toEqual(['Deliverr: auto-fulfill is off', 'FBA: not a source of this channel']);
    expect(normal?.textContent).toContain('Amazon US');
    expect(normal?.querySelector('[data-part="reason"]')?.textContent).toContain('FBA is a fulfillment center mapped to the channel');
    expect(normal?.querySelector('details')).toBeNull(); // nothing was skipped
    expect(normal?.querySelector('[data-action="send-to-fc"]')).toBeNull();
  });

  it('sends a fallback line to a fulfillment center with one key per intent, then reads the orders again', async () => {
    let open = [fallbackOrder];
    const { ask, calls } = fakeAsk({
      'orders.openForSku': () => ({ ok: true, data: { orders: open, more: true, channels } }),
      'orders.sendToFulfillmentCenter': async () => {
        await wait(5);
        open = [];
        return { ok: true };
      },
    });
    const onChanged = vi.fn();
    render(<OpenOrders ask={ask} sku="CANDLE" sources={sources} refreshTick={0} onChanged={onChanged} />, container);
    await vi.waitFor(() => expect(container.textContent).toContain('Showing the 1 newest open orders.'));
    const send = container.querySelector<HTMLButtonElement>('[data-action="send-to-fc"]')!;
    send.click();
    send.click();
    await vi.waitFor(() => expect(container.querySelector('[data-part="no-orders"]')).not.toBeNull());
    const sends = calls.filter((c) => c.type === 'orders.sendToFulfillmentCenter');
    expect(sends[0]).toMatchObject({ orderId: 'ord_1', lineIds: ['ln_1'] });
    expect(sends.every((c) => (c as { idempotencyKey: string }).idempotencyKey === (sends[0] as { idempotencyKey: string }).idempotencyKey)).toBe(true);
    expect(onChanged).toHaveBeenCalled();
    expect(container.querySelector('[data-part="no-orders"]')?.textContent).toBe('No open orders for CANDLE.');
  });

  it('shows a failure as a message', async () => {
    const { ask } = fakeAsk({ 'orders.openForSku': () => ({ ok: false, problem: 'unreachable', message: 'The onhand server cannot be reached.' }) });
    render(<OpenOrders ask={ask} sku="CANDLE" sources={sources} refreshTick={0} onChanged={() => {}} />, container);
    await vi.waitFor(() => expect(container.querySelector('[data-problem="unreachable"]')?.textContent).toContain('cannot be reached'));
  });
});

describe('AttentionView drift', () => {
  it('lists drifting listings with what the page showed and what onhand publishes, counted', () => {
    const attention: SearchAttentionOutput = {
      counts: { negatives: 0, untracked: 0, failedPushes: 0, drifting: 1, total: 1 },
      negatives: [],
      untracked: [],
      failedPushes: [],
      drifting: [
        {
          listingId: 'l1',
          channelId: 'c1',
          channelName: 'Amazon US',
          marketplace: 'amazon',
          sku: hostile,
          channelSku: 'MUG-1',
          externalId: 'B0MUG',
          displayed: 12,
          published: 58,
          seenAt: '2026-11-20T10:00:00Z',
        },
      ],
    };
    render(<AttentionView ask={fakeAsk({}).ask} attention={attention} onChanged={() => {}} />, container);
    expect(container.querySelector('[data-part="counts"]')?.textContent).toBe('0 negative · 0 untracked · 0 failed pushes · 1 drifting');
    const item = container.querySelector('[data-kind="drift"][data-listing="l1"]');
    expect(item?.querySelector('strong')?.textContent).toBe(hostile);
    expect(container.querySelector('img')).toBeNull();
    expect(item?.textContent).toContain('MUG-1 · B0MUG');
    expect(item?.querySelector('[data-part="drift"]')?.textContent).toMatch(/^The page showed 12, onhand publishes 58 \(seen .+\)\.$/);
  });
});
