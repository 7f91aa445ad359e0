// @vitest-environment happy-dom
import { render } from 'preact';
import { afterEach, describe, expect, it } from 'vitest';
import { InventoryBadge } from './inventory-badge';

describe('InventoryBadge', () => {
  const container = document.createElement('div');
  afterEach(() => render(null, container));

  it('renders "MF 12 · FBA 30" style sources, the total, and negatives in red', () => {
    render(
      <InventoryBadge
        view={{ states: ['tracked', 'negative'], sources: [{ id: 'mf', name: 'MF', available: -2 }, { id: 'fba', name: 'FBA', available: 30 }], total: 28, note: null }}
      />,
      container,
    );
    const sources = [...container.querySelectorAll('[data-source]')];
    expect(sources.map((s) => s.textContent)).toEqual(['MF -2', 'FBA 30']);
    expect(sources[0]?.classList.contains('negative')).toBe(true);
    expect(sources[1]?.classList.contains('negative')).toBe(false);
    expect(container.querySelector('[data-part="sources"]')?.textContent).toBe('MF -2 · FBA 30');
    expect(container.querySelector('[data-part="total"]')?.textContent).toBe('Total 28');
    expect(container.querySelector('.badge')?.getAttribute('data-tone')).toBe('negative');
  });

  it('puts server text into text nodes, never markup', () => {
    const hostile = '<img src=x onerror="alert(1)">';
    render(<InventoryBadge view={{ states: ['tracked'], sources: [{ id: 'x', name: hostile, available: 1 }], total: 1, note: hostile }} />, container);
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('[data-source]')?.textContent).toBe(`${hostile} 1`);
  });
});
