// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CatalogResult, LedgerEntry, SearchAttentionOutput } from '@onhand/shared';
import { fakeAsk } from './fake-ask';
import { AttentionView } from './attention-view';
import { HistoryChart } from './history-chart';
import { PopupApp } from './popup-app';
import { QuickActions } from './quick-actions';
import { SearchView } from './search-view';

const hostile = '<img src=x onerror=alert(1)>';
const wait = (ms = 0) => new Promise((r) => setTimeout(r, ms));

const mug: CatalogResult = {
  sku: 'DEMO-MUG-11OZ',
  title: `Mug ${hostile}`,
  isBundle: false,
  matchedOn: 'sku',
  sources: [
    { sourceId: 'mf', sourceName: 'MF', kind: 'merchant', onHand: 12, committed: 2, available: 10 },
    { sourceId: 'fba', sourceName: 'FBA', kind: 'fba', onHand: 40, committed: 0, available: 40 },
    { sourceId: 'dl', sourceName: 'Deliverr', kind: 'deliverr', onHand: 0, committed: 1, available: -1 },
  ],
  totalAvailable: 49,
  listings: [
    { listingId: 'l1', channelId: 'c1', channelName: 'Amazon US', marketplace: 'amazon', status: 'tracked', fulfilledBy: 'merchant', channelSku: 'DEMO-MUG-11OZ', externalId: 'B0DEMO0001', publishedQuantity: 50 },
    { listingId: 'l2', channelId: 'c2', channelName: 'eBay US', marketplace: 'ebay', status: 'untracked', fulfilledBy: 'merchant', channelSku: null, externalId: '385' },
  ],
  warnings: [{ code: 'NEGATIVE', sourceId: 'dl', message: 'Deliverr is at -1' }],
};
const tee: CatalogResult = { ...mug, sku: 'DEMO-TEE', title: 'Tee', warnings: [], listings: [] };


const container = document.createElement('div');
document.body.append(container);
afterEach(() => render(null, container));

function type(input: HTMLInputElement, value: string) {
  input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
}
const key = (el: Element, k: string) => el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));

describe('SearchView', () => {
  it('searches as you type (debounced), shows sources with bars, published per channel and warnings, all as text', async () => {
    const { ask, calls } = fakeAsk({ 'search.catalog': () => ({ ok: true, data: { results: [mug, tee] } }) });
    const onOpen = vi.fn();
    render(<SearchView ask={ask} refreshTick={0} onOpen={onOpen} />, container);
    const input = container.querySelector<HTMLInputElement>('input[name=search]')!;
    type(input, 'D');
    type(input, 'DE');
    type(input, 'DEM');
    // Polled, not a fixed pause: on a busy machine the debounce and the
    // render's effects can come later than any pause (timers fire late).
    await vi.waitFor(() => expect(container.querySelector('[data-sku="DEMO-MUG-11OZ"]')).not.toBeNull());
    expect(calls).toEqual([{ type: 'search.catalog', query: 'DEM' }]); // one call for the burst
    const first = container.querySelector('[data-sku="DEMO-MUG-11OZ"]')!;
    expect(first.querySelector('[data-part="title"]')?.textContent).toBe(`Mug ${hostile}`);
    expect(container.querySelector('img')).toBeNull();
    expect([...first.querySelectorAll('[data-source]')].map((s) => s.getAttribute('data-source'))).toEqual(['MF', 'FBA', 'Deliverr']);
    expect(first.querySelector('[data-source="FBA"] .fill')?.getAttribute('style')).toContain('width: 100%');
    expect(first.querySelector('[data-source="Deliverr"]')?.classList.contains('negative')).toBe(true);
    expect(first.querySelector('[data-part="published"]')?.textContent).toBe('Amazon US 50 · eBay US untracked');
    expect(first.querySelector('[data-part="committed"]')?.textContent).toContain('3 committed');
    expect(first.querySelector('[data-warning="NEGATIVE"]')?.textContent).toBe('Deliverr is at -1');

    key(input, 'ArrowDown');
    await wait();
    expect(container.querySelector('[data-sku="DEMO-TEE"]')?.getAttribute('aria-selected')).toBe('true');
    key(input, 'Enter');
    expect(onOpen).toHaveBeenCalledWith(tee);
  });

  it('shows a failure as a clear message and keeps working', async () => {
    const { ask } = fakeAsk({ 'search.catalog': () => ({ ok: false, problem: 'unauthorized', message: 'The server did not accept the token.' }) });
    render(<SearchView ask={ask} refreshTick={0} onOpen={() => {}} />, container);
    type(container.querySelector<HTMLInputElement>('input[name=search]')!, 'mug');
    await vi.waitFor(() => expect(container.querySelector('[data-problem="unauthorized"]')?.textContent).toContain('did not accept the token'));
  });
});

describe('QuickActions', () => {
  it('asks for confirmation, and every click on Confirm carries the one key of that intent', async () => {
    const { ask, calls } = fakeAsk({ 'inventory.setQuantity': async () => (await wait(10), { ok: true }) });
    const onDone = vi.fn();
    render(<QuickActions ask={ask} sku="DEMO-MUG-11OZ" sources={mug.sources} onDone={onDone} />, container);
    container.querySelector<HTMLButtonElement>('[data-action="open-set"]')!.click();
    await wait();
    const quantity = container.querySelector<HTMLInputElement>('input[name=onHand]')!;
    expect(quantity.value).toBe('12'); // MF, the merchant source, by default
    type(quantity, '5');
    await wait();
    container.querySelector<HTMLButtonElement>('[data-action="review"]')!.click();
    await wait();
    expect(container.querySelector('[data-part="confirm-text"]')?.textContent).toBe('Set MF on hand of DEMO-MUG-11OZ from 12 to 5?');
    const confirm = container.querySelector<HTMLButtonElement>('[data-action="confirm"]')!;
    confirm.click();
    confirm.click(); // a double click
    await vi.waitFor(() => expect(onDone).toHaveBeenCalled());
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ type: 'inventory.setQuantity', sku: 'DEMO-MUG-11OZ', sourceId: 'mf', onHand: 5 });
    expect(calls[1]).toEqual(calls[0]);
    expect(onDone).toHaveBeenCalled();

    // A new intent gets a new key.
    container.querySelector<HTMLButtonElement>('[data-action="open-set"]')!.click();
    await wait();
    container.querySelector<HTMLButtonElement>('[data-action="review"]')!.click();
    await wait();
    container.querySelector<HTMLButtonElement>('[data-action="confirm"]')!.click();
    await vi.waitFor(() => expect(calls).toHaveLength(3));
    const keys = calls.map((c) => (c as { idempotencyKey: string }).idempotencyKey);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('adjusts with a reason and refuses a zero change before asking', async () => {
    const { ask, calls } = fakeAsk({ 'inventory.adjust': () => ({ ok: false, problem: 'error', message: 'The server refused (BAD_REQUEST)' }) });
    render(<QuickActions ask={ask} sku="S" sources={mug.sources} onDone={() => {}} />, container);
    container.querySelector<HTMLButtonElement>('[data-action="open-adjust"]')!.click();
    await wait();
    type(container.querySelector<HTMLInputElement>('input[name=delta]')!, '0');
    await wait();
    expect(container.querySelector<HTMLButtonElement>('[data-action="review"]')!.disabled).toBe(true);
    type(container.querySelector<HTMLInputElement>('input[name=delta]')!, '-2');
    const reason = container.querySelector<HTMLSelectElement>('select[name=reason]')!;
    reason.value = 'damaged';
    reason.dispatchEvent(new Event('change', { bubbles: true }));
    await wait();
    container.querySelector<HTMLButtonElement>('[data-action="review"]')!.click();
    await wait();
    expect(container.querySelector('[data-part="confirm-text"]')?.textContent).toBe('Adjust MF on hand of S by -2 (damaged)?');
    container.querySelector<HTMLButtonElement>('[data-action="confirm"]')!.click();
    await vi.waitFor(() => expect(container.querySelector('[data-part="action-result"]')?.textContent).toBe('The server refused (BAD_REQUEST)'));
    expect(calls[0]).toMatchObject({ type: 'inventory.adjust', sku: 'S', sourceId: 'mf', delta: -2, reason: 'damaged' });
  });
});

describe('HistoryChart', () => {
  const entry = (id: string, at: string, bucket: LedgerEntry['bucket'], delta: number, balanceAfter: number, reason: LedgerEntry['reason'], note?: string): LedgerEntry => ({
    id,
    at,
    sku: 'S',
    sourceId: 'mf',
    bucket,
    delta,
    balanceAfter,
    reason,
    actor: 'token:demo',
    ...(note ? { note } : {}),
  });

  it('draws a point per entry, oldest first, each explaining itself', async () => {
    const entries = [
      entry('3', '2026-11-20T12:00:00Z', 'committed', 1, 1, 'order_allocated'),
      entry('2', '2026-11-20T11:00:00Z', 'on_hand', -2, 10, 'damaged', hostile),
      entry('1', '2026-11-20T10:00:00Z', 'on_hand', 12, 12, 'count'),
    ];
    render(<HistoryChart entries={entries} sourceName="MF" />, container);
    const points = [...container.querySelectorAll('circle')];
    expect(points.map((p) => p.getAttribute('data-entry'))).toEqual(['1', '2', '3']);
    const title = points[1]?.querySelector('title')?.textContent ?? '';
    expect(title).toContain('damaged');
    expect(title).toContain('-2 on hand at MF → 10');
    expect(title).toContain('by token:demo');
    expect(title).toContain(hostile);
    expect(container.querySelector('img')).toBeNull();
    points[2]!.dispatchEvent(new FocusEvent('focus'));
    await wait();
    expect(container.querySelector('[data-part="history-caption"]')?.textContent).toContain('order allocated');
  });

  it('says so when there is no history', () => {
    render(<HistoryChart entries={[]} sourceName="FBA" />, container);
    expect(container.textContent).toContain('No changes recorded at FBA');
  });
});

const attention: SearchAttentionOutput = {
  counts: { negatives: 1, untracked: 1, failedPushes: 1, drifting: 0, total: 3 },
  negatives: [
    {
      sku: 'DEMO-CANDLE-LAV',
      title: 'Soy candle',
      sourceId: 'mf',
      sourceName: 'MF',
      available: -1,
      since: '2026-11-20T10:00:00Z',
      causes: [
        {
          reason: 1,
          code: 'AUTO_FULFILL_OFF',
          orderId: 'o1',
          lineId: 'ln1',
          entryIds: ['9'],
          message: `Order ${hostile} went to MF because auto-fulfill is off`,
          remedies: [
            { action: 'SEND_TO_FULFILLMENT_CENTER', params: { orderId: 'o1', lineId: 'ln1', sourceId: 'dl' }, label: 'Send to Deliverr' },
            { action: 'SET_QUANTITY', params: { sku: 'DEMO-CANDLE-LAV', sourceId: 'mf' }, label: 'Set the MF quantity' },
          ],
        },
      ],
    },
  ],
  untracked: [{ listingId: 'lst9', channelId: 'c1', channelName: 'Amazon US', marketplace: 'amazon', channelSku: 'OLD-1', externalId: 'B0OLD', title: 'Old', sku: null }],
  failedPushes: [{ listingId: 'l1', channelId: 'c1', channelName: 'Amazon US', marketplace: 'amazon', sku: 'DEMO-MUG-11OZ', desired: 5, attempts: 3, error: 'rate limited' }],
  drifting: [],
};

describe('AttentionView', () => {
  it('lists negatives with their reason and remedies, untracked listings with Import, failed pushes', async () => {
    const { ask, calls } = fakeAsk({
      'orders.sendToFulfillmentCenter': () => ({ ok: true }),
      'listings.import': () => ({ ok: true }),
      'inventory.setQuantity': () => ({ ok: true }),
    });
    const onChanged = vi.fn();
    render(<AttentionView ask={ask} attention={attention} onChanged={onChanged} />, container);
    expect(container.querySelector('[data-part="counts"]')?.textContent).toBe('1 negative · 1 untracked · 1 failed push · 0 drifting');
    expect(container.querySelector('[data-code="AUTO_FULFILL_OFF"] [data-part="cause"]')?.textContent).toContain(hostile);
    expect(container.querySelector('img')).toBeNull();
    const send = container.querySelector<HTMLButtonElement>('[data-remedy="SEND_TO_FULFILLMENT_CENTER"]')!;
    send.click();
    send.click();
    await wait();
    expect(calls[0]).toMatchObject({ type: 'orders.sendToFulfillmentCenter', orderId: 'o1', lineIds: ['ln1'], sourceId: 'dl' });
    expect(calls[1]).toEqual(calls[0]); // same intent, same key
    container.querySelector<HTMLButtonElement>('[data-kind="untracked"] [data-remedy="IMPORT_LISTING"]')!.click();
    await wait();
    expect(calls[2]).toMatchObject({ type: 'listings.import', listingId: 'lst9' });
    // SET_QUANTITY needs a number first.
    container.querySelector<HTMLButtonElement>('[data-remedy="SET_QUANTITY"]')!.click();
    await wait();
    expect(calls).toHaveLength(3);
    type(container.querySelector<HTMLInputElement>('input[name=remedyQuantity]')!, '4');
    await wait();
    container.querySelector<HTMLButtonElement>('[data-remedy="SET_QUANTITY"]')!.click();
    await wait();
    expect(calls[3]).toMatchObject({ type: 'inventory.setQuantity', sku: 'DEMO-CANDLE-LAV', sourceId: 'mf', onHand: 4 });
    expect(onChanged).toHaveBeenCalledTimes(4);
    expect(container.querySelector('[data-kind="failed-push"]')?.textContent).toContain('Publishing 5 failed after 3 attempts: rate limited');
  });

  it('says when nothing needs attention', () => {
    const { ask } = fakeAsk({});
    render(<AttentionView ask={ask} attention={{ counts: { negatives: 0, untracked: 0, failedPushes: 0, drifting: 0, total: 0 }, negatives: [], untracked: [], failedPushes: [], drifting: [] }} onChanged={() => {}} />, container);
    expect(container.querySelector('[data-count="0"]')?.textContent).toContain('Nothing needs attention');
  });
});

describe('PopupApp', () => {
  it('shows connection, tenant and live state, the attention count, and refreshes on a live change', async () => {
    let changed: () => void = () => {};
    const { ask, calls } = fakeAsk({
      'connection.status': () => ({ serverUrl: 'http://127.0.0.1:8787', reachable: true, authorized: true, tenantName: 'Demo seller', problem: null, message: 'Connected.' }),
      'search.attention': () => ({ ok: true, data: attention }),
    });
    render(<PopupApp ask={ask} openOptions={() => {}} connectLive={({ onChanged }) => ((changed = onChanged), () => {})} />, container);
    await vi.waitFor(() => {
      expect(container.querySelector('[data-part="tenant"]')?.textContent).toBe('Demo seller');
      expect(container.querySelector('[data-part="freshness"]')?.textContent).toBe('live');
      expect(container.querySelector('[data-part="attention-count"]')?.textContent).toBe('3');
    });
    changed();
    await vi.waitFor(() => expect(calls.filter((c) => c.type === 'search.attention')).toHaveLength(2));
    container.querySelector<HTMLButtonElement>('[data-tab="attention"]')!.click();
    await wait();
    expect(container.querySelector('[data-kind="negative"]')).not.toBeNull();
  });

  it('says clearly when the token is wrong, and the rest still works', async () => {
    const message = 'The server did not accept the token. Check it in the onhand options.';
    const { ask } = fakeAsk({
      'connection.status': () => ({ serverUrl: 'http://127.0.0.1:8787', reachable: true, authorized: false, tenantName: null, problem: 'unauthorized', message }),
      'search.attention': () => ({ ok: false, problem: 'unauthorized', message }),
      'search.catalog': () => ({ ok: false, problem: 'unauthorized', message }),
    });
    const openOptions = vi.fn();
    render(<PopupApp ask={ask} openOptions={openOptions} />, container);
    await vi.waitFor(() => expect(container.querySelector('.banner[data-problem="unauthorized"]')).not.toBeNull());
    const banner = container.querySelector('.banner[data-problem="unauthorized"]');
    expect(banner?.textContent).toContain(message);
    banner?.querySelector('button')?.click();
    expect(openOptions).toHaveBeenCalled();
    expect(container.querySelector('[data-part="freshness"]')).toBeNull();
    type(container.querySelector<HTMLInputElement>('input[name=search]')!, 'mug');
    await vi.waitFor(() => expect(container.querySelector('.search [data-problem="unauthorized"]')).not.toBeNull());
  });
});
