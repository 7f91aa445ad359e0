import { describe, expect, it } from 'vitest';
import { parseQuantity, uniqueKeys } from './portal-row';

describe('parseQuantity', () => {
  it.each([
    ['12', 12],
    [' 1,204 ', 1204],
    ['1.204', 1204],
    ['-3', -3],
    ['0', 0],
    ['', undefined],
    ['—', undefined],
    [null, undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseQuantity(text)).toBe(expected);
  });
});

describe('uniqueKeys', () => {
  it('keys rows by SKU and numbers repeats', () => {
    expect(uniqueKeys([{ sku: 'A' }, { sku: 'B' }, { sku: 'A' }]).map((r) => r.key)).toEqual(['A', 'B', 'A#2']);
  });
});
