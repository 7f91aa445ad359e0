// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BadgeActions } from './badge-actions';
import type { BadgeView } from './badge-view';
import { RowBadge } from './row-badge';
import { SummaryBar } from './summary-bar';

const base: BadgeView = {
  states: ['tracked'],
  sku: 'DEMO-MUG-11OZ',
  listingId: 'l1',
  sources: [
    { id: 'mf', name: 'MF', available: 12 },
    { id: 'fba', name: 'FBA', available: 40 },
    { id: 'dl', name: 'Deliverr', available: 6 },
  ],
  published: 18,
  push: { label: 'live', tone: 'ok', detail: 'confirmed' },
  driftShown: null,
  warnings: [],
  negativeSources: [],
  note: null,
};

function fakeActions(overrides: Partial<BadgeActions> = {}): BadgeActions {
  return {
    importListing: vi.fn(async () => ({ ok: true as const })),
    explain: vi.fn(async () => ({ ok: true as const, data: { available: -2, causes: [] } })),
    applyRemedy: vi.fn(async () => ({ ok: true as const })),
    ...overrides,
  };
}

const flush = () => new Promise((r) => setTimeout(r, 0));
const hostile = '<img src=x onerror=alert(1)>';

describe('RowBadge', () => {
  const container = document.createElement('div');
  document.body.append(container);
  afterEach(() => render(null, container));

  it('renders "MF 12 · FBA 40 · Deliverr 6" and the published quantity with its push state', () => {
    render(<RowBadge view={base} actions={fakeActions()} />, container);
    expect(container.querySelector('[data-part="sources"]')?.textContent).toBe('MF 12 · FBA 40 · Deliverr 6');
    expect(container.querySelector('[data-part="published"]')?.textContent).toBe('Listed 18 live');
    expect(container.querySelector('button')).toBeNull();
  });

  it('shows negatives in red with a button that opens the explanation and its remedies', async () => {
    const remedy = { action: 'SET_QUANTITY' as const, params: { sku: 'DEMO-MUG-11OZ', sourceId: 'mf' }, label: 'Set the MF quantity' };
    const explain = vi.fn(async () => ({
      ok: true as const,
      data: { available: -2, causes: [{ reason: 5 as const, code: 'OVERSOLD', entryIds: [], message: `Order ${hostile} oversold`, remedies: [remedy] }] },
    }));
    const applyRemedy = vi.fn(async () => ({ ok: true as const }));
    const view = { ...base, states: ['tracked', 'negative'] as BadgeView['states'], sources: [{ id: 'mf', name: 'MF', available: -2 }], negativeSources: [{ id: 'mf', name: 'MF', available: -2 }] };
    render(<RowBadge view={view} actions={fakeActions({ explain, applyRemedy })} />, container);
    expect(container.querySelector('.badge')?.getAttribute('data-tone')).toBe('negative');
    expect(container.querySelector('[data-source="MF"]')?.classList.contains('negative')).toBe(true);

    (container.querySelector('[data-action="explain"]') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(explain).toHaveBeenCalledWith('DEMO-MUG-11OZ', 'mf'));
    await vi.waitFor(() => expect(container.querySelector('[data-part="explanation"]')?.textContent).toContain(`Order ${hostile} oversold`));
    expect(container.querySelector('img')).toBeNull();

    // Setting a quantity asks for the number first.
    (container.querySelector('[data-remedy="SET_QUANTITY"]') as HTMLButtonElement).click();
    await flush();
    const input = container.querySelector('input[name="quantity"]') as HTMLInputElement;
    input.value = '7';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await flush();
    (container.querySelector('[data-part="ask-quantity"]') as HTMLFormElement).requestSubmit();
    await vi.waitFor(() => expect(applyRemedy).toHaveBeenCalledWith(remedy, 7));
    await vi.waitFor(() => expect(container.querySelector('[data-part="outcome"]')?.textContent).toBe('Done: Set the MF quantity'));
  });

  it('offers Import on an untracked listing, and shows why when it fails', async () => {
    const importListing = vi.fn(async () => ({ ok: false as const, message: 'The onhand server cannot be reached.' }));
    render(<RowBadge view={{ ...base, states: ['untracked'], sources: [], published: null, push: null, note: 'Not managed by onhand' }} actions={fakeActions({ importListing })} />, container);
    const button = container.querySelector('[data-action="import"]') as HTMLButtonElement;
    expect(button.textContent).toBe('Import');
    button.click();
    expect(importListing).toHaveBeenCalledWith('l1');
    await vi.waitFor(() => expect(container.querySelector('[data-part="error"]')?.textContent).toBe('The onhand server cannot be reached.'));
  });

  it('shows drift and unmatched warnings', () => {
    render(<RowBadge view={{ ...base, states: ['tracked', 'drift'], driftShown: 9, warnings: [{ code: 'UNMATCHED', message: 'no product' }] }} actions={fakeActions()} />, container);
    expect(container.querySelector('[data-part="drift"]')?.textContent).toBe('Page shows 9');
    expect(container.querySelector('[data-warning="UNMATCHED"]')?.textContent).toBe('Unmatched');
  });

  it('puts page and server text into text nodes, never markup', () => {
    render(
      <RowBadge view={{ ...base, sku: hostile, sources: [{ id: 'x', name: hostile, available: 1 }], note: hostile, warnings: [{ code: 'UNTRACKED', message: hostile }] }} actions={fakeActions()} />,
      container,
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('[data-source]')?.textContent).toBe(`${hostile} 1`);
    expect(container.querySelector('[data-part="note"]')?.textContent).toBe(hostile);
  });
});

describe('SummaryBar', () => {
  const container = document.createElement('div');
  afterEach(() => render(null, container));

  it('counts, and makes each non-zero count a button that jumps', () => {
    const onJump = vi.fn();
    render(<SummaryBar summary={{ listings: 5, negative: 1, untracked: 2, drifting: 0, problem: null }} onJump={onJump} />, container);
    expect(container.textContent).toBe('onhand5 listings · 1 negative · 2 untracked · 0 drifting');
    (container.querySelector('button[data-count="untracked"]') as HTMLButtonElement).click();
    expect(onJump).toHaveBeenCalledWith('untracked');
    expect(container.querySelector('button[data-count="drift"]')).toBeNull();
  });

  it('says why the numbers may be out of date', () => {
    render(<SummaryBar summary={{ listings: 1, negative: 0, untracked: 0, drifting: 0, problem: 'The onhand server cannot be reached.' }} onJump={() => {}} />, container);
    expect(container.querySelector('[data-part="problem"]')?.textContent).toBe('The onhand server cannot be reached.');
  });
});
