import { describe, expect, it } from 'vitest';
import { isDrift, noRules, publishedQuantity, type PublishingInput } from './publishing';

const at = (entries: Record<string, number>) => new Map(Object.entries(entries));
const base: PublishingInput = {
  fulfilledBy: 'merchant',
  parts: [{ perUnit: 1, availableBySource: at({ MF: 5, FBA: 7, DLV: 3 }) }],
  channelSourceIds: ['MF', 'FBA'],
  rules: noRules,
};

describe('published quantity: one row per rule', () => {
  const rows = [
    { rule: 'sums the channel’s sources only', input: base, expected: 12 },
    { rule: 'no channel mapping means every source', input: { ...base, channelSourceIds: [] }, expected: 15 },
    { rule: 'a negative source counts as zero', input: { ...base, parts: [{ perUnit: 1, availableBySource: at({ MF: -4, FBA: 7 }) }] }, expected: 7 },
    { rule: 'percent rounds down', input: { ...base, rules: { ...noRules, percent: 50 } }, expected: 6 },
    { rule: 'buffer holds units back', input: { ...base, rules: { ...noRules, buffer: 2 } }, expected: 10 },
    { rule: 'max caps', input: { ...base, rules: { ...noRules, max: 4 } }, expected: 4 },
    { rule: 'rules apply percent, then buffer, then max', input: { ...base, rules: { percent: 50, buffer: 1, max: 100 } }, expected: 5 },
    { rule: 'floored at zero', input: { ...base, rules: { ...noRules, buffer: 99 } }, expected: 0 },
    {
      rule: 'a bundle publishes its scarcest component',
      input: { ...base, parts: [{ perUnit: 2, availableBySource: at({ MF: 9, FBA: 0 }) }, { perUnit: 1, availableBySource: at({ MF: 3, FBA: 2 }) }] },
      expected: 4,
    },
    { rule: 'marketplace-fulfilled listings are the marketplace’s to count', input: { ...base, fulfilledBy: 'marketplace' as const }, expected: null },
  ];
  it.each(rows)('$rule', ({ input, expected }) => {
    expect(publishedQuantity(input)).toBe(expected);
  });
  it.each([
    { displayed: 5, published: 5, drift: false },
    { displayed: 4, published: 5, drift: true },
    { displayed: undefined, published: 5, drift: false },
    { displayed: 3, published: null, drift: false },
  ])('drift when the page shows $displayed and onhand publishes $published: $drift', ({ displayed, published, drift }) => {
    expect(isDrift(displayed, published)).toBe(drift);
  });
});
