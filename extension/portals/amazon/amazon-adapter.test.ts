// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { amazonAdapter } from './amazon-adapter';
import { readAmazonFixture, type AmazonFixtureName } from './fixture-pages';

function parse(name: AmazonFixtureName): Document {
  return new DOMParser().parseFromString(readAmazonFixture(name), 'text/html');
}

/** The rows without their anchors, plus the anchor's own text, for readable assertions. */
function summary(doc: Document) {
  return amazonAdapter.readRows(doc).map(({ anchor, ...row }) => ({ ...row, anchorText: anchor.textContent?.trim() }));
}

describe('Amazon Manage All Inventory (saved page)', () => {
  it('reads every listing row with SKU, ASIN and the displayed quantity', () => {
    expect(summary(parse('manageInventory'))).toEqual([
      { key: 'DEMO-MUG-11OZ', sku: 'DEMO-MUG-11OZ', asin: 'B0DEMOMUG1', displayedQuantity: 12, fulfilledBy: 'merchant', anchorText: 'DEMO-MUG-11OZ' },
      { key: 'DEMO-TEE-M-BLK', sku: 'DEMO-TEE-M-BLK', asin: 'B0DEMOTEE1', displayedQuantity: 1204, fulfilledBy: 'merchant', anchorText: 'DEMO-TEE-M-BLK' },
      // No ASIN label on this row: the ASIN comes from the title's /dp/ link.
      { key: 'DEMO-CANDLE-LAV', sku: 'DEMO-CANDLE-LAV', asin: 'B0DEMOCAN1', displayedQuantity: 18, fulfilledBy: 'marketplace', anchorText: 'DEMO-CANDLE-LAV' },
      { key: 'DEMO-BOTTLE-750', sku: 'DEMO-BOTTLE-750', asin: 'B0DEMOBOT1', displayedQuantity: 0, fulfilledBy: 'merchant', anchorText: 'DEMO-BOTTLE-750' },
      { key: 'LEGACY-UNTRACKED-1', sku: 'LEGACY-UNTRACKED-1', asin: 'B0LEGACY01', displayedQuantity: 3, fulfilledBy: 'merchant', anchorText: 'LEGACY-UNTRACKED-1' },
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
    expect(amazonAdapter.readRows(doc)[0]?.sku).toBe('DEMO-MUG-11OZ');
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
    expect(summary(doc).map((r) => [r.sku, r.displayedQuantity, r.asin])).toEqual([
      ['DEMO-MUG-11OZ', 12, 'B0DEMOMUG1'],
      ['DEMO-TEE-M-BLK', 7, 'B0DEMOTEE1'],
    ]);

    renderBatch(doc, 'rows-batch-2', false);
    expect(summary(doc).map((r) => [r.sku, r.displayedQuantity, r.fulfilledBy])).toEqual([
      ['DEMO-MUG-11OZ', 12, 'merchant'],
      ['DEMO-TEE-M-BLK', 7, 'merchant'],
      ['DEMO-CANDLE-LAV', 18, 'marketplace'],
      ['DEMO-BOTTLE-750', 0, 'merchant'],
      ['LEGACY-UNTRACKED-1', 3, 'merchant'],
    ]);
  });

  it('uses different build hashes than the first saved page (only prefixes are matched)', () => {
    const html = readAmazonFixture('manageInventoryLateRows');
    expect(html).toContain('JanusTable-module__tableContentRow--q8Zt1');
    expect(html).not.toContain('JanusTable-module__tableContentRow--MGDsi');
  });
});

describe('Amazon classic Manage Inventory (saved page)', () => {
  it('reads SKU and ASIN from data-row-data and the quantity cell', () => {
    expect(summary(parse('classicInventory'))).toEqual([
      { key: 'DEMO-MUG-11OZ', sku: 'DEMO-MUG-11OZ', asin: 'B0DEMOMUG1', displayedQuantity: 12, fulfilledBy: 'merchant', anchorText: 'DEMO-MUG-11OZ' },
      { key: 'DEMO-CANDLE-LAV', sku: 'DEMO-CANDLE-LAV', asin: 'B0DEMOCAN1', displayedQuantity: 18, fulfilledBy: 'marketplace', anchorText: 'DEMO-CANDLE-LAV' },
      { key: 'LEGACY-UNTRACKED-1', sku: 'LEGACY-UNTRACKED-1', asin: 'B0LEGACY01', displayedQuantity: 0, fulfilledBy: 'merchant', anchorText: 'LEGACY-UNTRACKED-1' },
    ]);
  });

  it('falls back to the SKU cell when data-row-data is not JSON', () => {
    const doc = parse('classicInventory');
    doc.querySelector('tr.mt-row')?.setAttribute('data-row-data', '{not json');
    const first = amazonAdapter.readRows(doc)[0];
    expect(first?.sku).toBe('DEMO-MUG-11OZ');
    expect(first?.asin).toBe('B0DEMOMUG1');
  });
});
