import { describe, expect, it } from 'vitest';
import { firstNumber, parseQuantity, withUniqueKeys } from './portal-row';

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

describe('firstNumber', () => {
  it.each([
    ['12 in stock', 12],
    ['Stock: 1,204 left', 1204],
    ['none', undefined],
  ])('%j → %j', (text, expected) => {
    expect(firstNumber(text)).toBe(expected);
  });
});

describe('withUniqueKeys', () => {
  const anchor = {} as Element;
  it('keys rows by the chosen identifier, numbers repeats and skips rows without any identifier', () => {
    const rows = withUniqueKeys(
      [{ channelSku: 'A', anchor }, { externalId: '9', anchor }, { channelSku: 'A', anchor }, { anchor, title: 'no id' }],
      (r) => r.channelSku,
    );
    expect(rows.map((r) => r.key)).toEqual(['A', '9', 'A#2']);
  });
});
