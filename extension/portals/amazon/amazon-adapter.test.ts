// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { amazonAdapter } from './amazon-adapter';
import { readAmazonFixture, type AmazonFixtureName } from './fixture-pages';

function parse(name: AmazonFixtureName): Document {
  return new DOMParser().parseFromString(readAmazonFixture(name), 'text/html');
}

/** The rows without their anchors, plus the anchor's own text, for readable assertions. */
function summary(doc: Document) {
  return amazonAdapter.readRows(doc).map(({ anchor, title: _title, ...row }) => ({ ...row, anchorText: anchor.textContent?.trim() }));
}

describe('Amazon Manage All Inventory (saved page)', () => {
  it('reads every listing row with SKU, ASIN and the displayed quantity', () => {
    expect(summary(parse('manageInventory'))).toEqual([
      { key: 'DEMO-MUG-11OZ', channelSku: 'DEMO-MUG-11OZ', externalId: 'B0DEMOMUG1', displayedQuantity: 12, anchorText: 'DEMO-MUG-11OZ' },
      { key: 'DEMO-TEE-M-BLK', channelSku: 'DEMO-TEE-M-BLK', externalId: 'B0DEMOTEE1', displayedQuantity: 1204, anchorText: 'DEMO-TEE-M-BLK' },
      // No ASIN label on this row: the ASIN comes from the title's /dp/ link.
      { key: 'DEMO-CANDLE-LAV', channelSku: 'DEMO-CANDLE-LAV', externalId: 'B0DEMOCAN1', displayedQuantity: 18, anchorText: 'DEMO-CANDLE-LAV' },
      { key: 'DEMO-BOTTLE-750', channelSku: 'DEMO-BOTTLE-750', externalId: 'B0DEMOBOT1', displayedQuantity: 0, anchorText: 'DEMO-BOTTLE-750' },
      { key: 'LEGACY-UNTRACKED-1', channelSku: 'LEGACY-UNTRACKED-1', externalId: 'B0LEGACY01', displayedQuantity: 3, anchorText: 'LEGACY-UNTRACKED-1' },
    ]);
  });

  it('skips the summary row that looks like a listing row but has no data-sku owner', () => {
    const doc = parse('manageInventory');
    const summaryRow = doc.querySelector('[data-testid="table-summary"]');
    expect(summaryRow?.matches('[class*="JanusTable-module__tableContentRow"]')).toBe(true);
    const anchors = amazonAdapter.readRows(doc).map((row) => row.anchor);
    expect(anchors.some((anchor) => summaryRow?.contains(anchor))).toBe(false);
  });

  it('keeps reading when only the SKU label is left (no data-sku value)', () => {
    const doc = parse('manageInventory');
    doc.querySelector('[data-sku="DEMO-MUG-11OZ"]')?.setAttribute('data-sku', '');
    expect(amazonAdapter.readRows(doc)[0]?.channelSku).toBe('DEMO-MUG-11OZ');
  });

  it('gives each row a unique key when a SKU appears twice', () => {
    const doc = parse('manageInventory');
    const body = doc.querySelector('[role="rowgroup"]');
    const first = doc.querySelector('[data-sku="DEMO-MUG-11OZ"]');
    if (!body || !first) throw new Error('fixture changed');
    body.append(first.cloneNode(true));
    expect(amazonAdapter.readRows(doc).map((row) => row.key)).toContain('DEMO-MUG-11OZ#2');
  });
});

describe('Amazon Manage All Inventory, other deploy with rows rendered late (saved page)', () => {
  /** What the page's own script does after load: scripts do not run in these tests. */
  function renderBatch(doc: Document, id: string, replace: boolean): void {
    const body = doc.getElementById('table-body');
    const template = doc.getElementById(id) as HTMLTemplateElement | null;
    if (!body || !template) throw new Error('fixture changed');
    const rows = template.content.cloneNode(true);
    if (replace) body.replaceChildren(rows);
    else body.append(rows);
  }

  it('finds no rows before the script renders them, then every row of each batch', () => {
    const doc = parse('manageInventoryLateRows');
    expect(amazonAdapter.readRows(doc)).toEqual([]);

    renderBatch(doc, 'rows-batch-1', true);
    expect(summary(doc).map((r) => [r.channelSku, r.displayedQuantity, r.externalId])).toEqual([
      ['DEMO-MUG-11OZ', 12, 'B0DEMOMUG1'],
      ['DEMO-TEE-M-BLK', 7, 'B0DEMOTEE1'],
    ]);

    renderBatch(doc, 'rows-batch-2', false);
    expect(summary(doc).map((r) => [r.channelSku, r.displayedQuantity])).toEqual([
      ['DEMO-MUG-11OZ', 12],
      ['DEMO-TEE-M-BLK', 7],
      ['DEMO-CANDLE-LAV', 18],
      ['DEMO-BOTTLE-750', 0],
      ['LEGACY-UNTRACKED-1', 3],
    ]);
  });

  it('uses different build hashes than the first saved page (only prefixes are matched)', () => {
    const html = readAmazonFixture('manageInventoryLateRows');
    expect(html).toContain('JanusTable-module__tableContentRow--q8Zt1');
    expect(html).not.toContain('JanusTable-module__tableContentRow--MGDsi');
  });
});

describe('Amazon Manage All Inventory drawn with Katal tables (saved page)', () => {
  /** What the page's script does after load: rows in, kat-inputs upgraded (scripts do not run in these tests). */
  function renderPage(doc: Document, id: 'page-1' | 'page-2'): void {
    const body = doc.getElementById('table-body');
    const template = doc.getElementById(id) as HTMLTemplateElement | null;
    if (!body || !template) throw new Error('fixture changed');
    body.replaceChildren(template.content.cloneNode(true));
    for (const input of body.querySelectorAll('kat-input')) {
      const inner = doc.createElement('input');
      inner.value = input.getAttribute('value') ?? input.getAttribute('data-shadow-value') ?? '';
      input.attachShadow({ mode: 'open' }).append(inner);
    }
  }

  it('reads the SKU from its column (no data-sku), the ASIN from an "ASIN:" pair, and skips the loading and bulk-action rows', () => {
    const doc = parse('manageInventoryKatal');
    expect(amazonAdapter.readRows(doc)).toEqual([]);
    renderPage(doc, 'page-1');
    expect(summary(doc)).toEqual([
      { key: 'DEMO-MUG-11OZ', channelSku: 'DEMO-MUG-11OZ', externalId: 'B0DEMOMUG1', displayedQuantity: 12, anchorText: 'DEMO-MUG-11OZ' },
      // This kat-input keeps its value only in the <input> of its shadow root.
      { key: 'DEMO-TEE-M-BLK', channelSku: 'DEMO-TEE-M-BLK', externalId: 'B0DEMOTEE1', displayedQuantity: 5, anchorText: 'DEMO-TEE-M-BLK' },
      { key: 'LEGACY-KATAL-1', channelSku: 'LEGACY-KATAL-1', externalId: 'B0KATAL001', displayedQuantity: 4, anchorText: 'LEGACY-KATAL-1' },
    ]);
    expect(amazonAdapter.readRows(doc).every((row) => row.anchor.tagName === 'KAT-TABLE-CELL')).toBe(true);
    expect(amazonAdapter.summaryAnchor?.(doc)?.tagName).toBe('KAT-TABLE');
  });

  it('reads the next page the app renders into the same body', () => {
    const doc = parse('manageInventoryKatal');
    renderPage(doc, 'page-1');
    renderPage(doc, 'page-2');
    expect(summary(doc).map((r) => [r.channelSku, r.externalId, r.displayedQuantity])).toEqual([
      ['DEMO-CANDLE-LAV', 'B0DEMOCAN1', 18],
      ['DEMO-BOTTLE-750', 'B0DEMOBOT1', 55],
    ]);
  });
});

describe('Amazon Manage All Inventory label/value pairs, as other deploys draw them', () => {
  it('reads labels in any case with a trailing colon, and panels wrapped in another element', () => {
    const doc = parse('manageInventory');
    const row = doc.querySelector('[data-sku="DEMO-MUG-11OZ"]');
    if (!row) throw new Error('fixture changed');
    for (const split of row.querySelectorAll('[class*="JanusSplitBox-module__row"]')) {
      const wrapper = doc.createElement('div');
      wrapper.className = 'JanusSplitBox-module__inner--Zz9Aa';
      wrapper.append(...split.childNodes);
      split.append(wrapper);
      const label = split.querySelector('[class*="JanusSplitBox-module__panel"]');
      if (label) label.textContent = `${(label.textContent ?? '').trim().toLowerCase()}:`;
    }
    row.setAttribute('data-sku', '');
    expect(summary(doc)[0]).toEqual({ key: 'DEMO-MUG-11OZ', channelSku: 'DEMO-MUG-11OZ', externalId: 'B0DEMOMUG1', displayedQuantity: 12, anchorText: 'DEMO-MUG-11OZ' });
  });
});

describe('Amazon classic Manage Inventory (saved page)', () => {
  it('reads SKU and ASIN from data-row-data and the quantity cell', () => {
    expect(summary(parse('classicInventory'))).toEqual([
      { key: 'DEMO-MUG-11OZ', channelSku: 'DEMO-MUG-11OZ', externalId: 'B0DEMOMUG1', displayedQuantity: 12, anchorText: 'DEMO-MUG-11OZ' },
      { key: 'DEMO-CANDLE-LAV', channelSku: 'DEMO-CANDLE-LAV', externalId: 'B0DEMOCAN1', displayedQuantity: 18, anchorText: 'DEMO-CANDLE-LAV' },
      { key: 'LEGACY-UNTRACKED-1', channelSku: 'LEGACY-UNTRACKED-1', externalId: 'B0LEGACY01', displayedQuantity: 0, anchorText: 'LEGACY-UNTRACKED-1' },
    ]);
  });

  it('falls back to the SKU cell when data-row-data is not JSON', () => {
    const doc = parse('classicInventory');
    doc.querySelector('tr.mt-row')?.setAttribute('data-row-data', '{not json');
    const first = amazonAdapter.readRows(doc)[0];
    expect(first?.channelSku).toBe('DEMO-MUG-11OZ');
    expect(first?.externalId).toBe('B0DEMOMUG1');
  });
});

describe('Amazon classic Manage Inventory, paged (saved page)', () => {
  it('reads the rows of the tbody the next page swaps in', () => {
    const doc = parse('classicInventoryPaged');
    expect(summary(doc).map((r) => [r.channelSku, r.externalId, r.displayedQuantity])).toEqual([
      ['DEMO-MUG-11OZ', 'B0DEMOMUG1', 1204], // "1.204": a German thousands separator
      ['LEGACY-DE-7', 'B0LEGACYDE', 2],
    ]);
    const tbody = (doc.getElementById('page-2') as HTMLTemplateElement).content.querySelector('tbody')?.cloneNode(true);
    if (!tbody) throw new Error('fixture changed');
    doc.querySelector('#myitable-table > tbody')?.replaceWith(tbody);
    expect(summary(doc).map((r) => [r.channelSku, r.externalId, r.displayedQuantity])).toEqual([
      ['DEMO-TEE-M-BLK', 'B0DEMOTEE1', 25],
      ['DEMO-BOTTLE-750', 'B0DEMOBOT1', 55],
    ]);
  });
});

describe('Amazon FBA inventory (saved pages, rows inside open shadow roots)', () => {
  /** What each page's own script does: scripts do not run in these tests. */
  function attachShadow(host: Element | null, template: Element | null): ShadowRoot {
    if (!host || !(template instanceof HTMLTemplateElement)) throw new Error('fixture changed');
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.append(template.content.cloneNode(true));
    return shadow;
  }

  it('reads MSKU, ASIN, title and the Available column through a shadow root; skips header and totals rows', () => {
    const doc = parse('fbaInventory');
    expect(amazonAdapter.readRows(doc)).toEqual([]);
    attachShadow(doc.getElementById('fba-grid'), doc.getElementById('fba-grid-shadow'));
    const rows = amazonAdapter.readRows(doc);
    expect(rows.map(({ anchor, ...row }) => ({ ...row, anchorIsCell: anchor.tagName === 'TD' }))).toEqual([
      { key: 'DEMO-CANDLE-LAV', channelSku: 'DEMO-CANDLE-LAV', externalId: 'B0DEMOCAN1', title: 'Soy Wax Candle, Lavender, 8 oz Tin', displayedQuantity: 18, anchorIsCell: true },
      { key: 'DEMO-MUG-11OZ', channelSku: 'DEMO-MUG-11OZ', externalId: 'B0DEMOMUG1', title: 'Stoneware Coffee Mug, 11 oz', displayedQuantity: 1040, anchorIsCell: true },
      { key: 'FBA-ONLY-UNTRACKED', channelSku: 'FBA-ONLY-UNTRACKED', externalId: 'B0FBAONLY1', title: 'Travel Candle Set', displayedQuantity: 5, anchorIsCell: true },
    ]);
    expect(rows.every((row) => row.anchor.getRootNode() instanceof ShadowRoot)).toBe(true);
  });

  it('finds ARIA rows two shadow roots deep as their batches arrive, with the column found by header text', () => {
    const doc = parse('fbaInventoryAriaLate');
    const shell = attachShadow(doc.getElementById('shell'), doc.getElementById('shell-shadow'));
    const grid = attachShadow(shell.getElementById('grid'), doc.getElementById('grid-shadow'));
    expect(amazonAdapter.readRows(doc)).toEqual([]);
    const body = grid.getElementById('grid-body');
    body?.append((doc.getElementById('batch-1') as HTMLTemplateElement).content.cloneNode(true));
    expect(amazonAdapter.readRows(doc).map((r) => [r.key, r.externalId, r.displayedQuantity])).toEqual([['DEMO-TEE-M-BLK', 'B0DEMOTEE1', 25]]);
    body?.append((doc.getElementById('batch-2') as HTMLTemplateElement).content.cloneNode(true));
    expect(amazonAdapter.readRows(doc).map((r) => [r.key, r.externalId, r.displayedQuantity])).toEqual([
      ['DEMO-TEE-M-BLK', 'B0DEMOTEE1', 25],
      ['DEMO-BOTTLE-750', 'B0DEMOBOT1', 0],
    ]);
  });
});
