import { describe, expect, it } from 'vitest';
import { planProductUpsert, type ProductUpsertFacts } from './catalog';

const base: ProductUpsertFacts = {
  sku: 'KIT',
  components: [{ sku: 'MUG', quantity: 2 }],
  knownComponents: new Map([['MUG', { isBundle: false }], ['GIFTSET', { isBundle: true }]]),
  hasStock: false,
  isComponent: false,
  existing: undefined,
};

describe('product rules: one row per rule', () => {
  const rows = [
    { rule: 'a plain product stays plain', facts: { ...base, components: undefined }, expected: { ok: true, value: { isBundle: false } } },
    { rule: 'a bundle of known products is a bundle', facts: base, expected: { ok: true, value: { isBundle: true } } },
    { rule: 'BUNDLE_NEEDS_COMPONENTS', facts: { ...base, components: [] }, expected: { ok: false, rule: 'BUNDLE_NEEDS_COMPONENTS', field: 'components' } },
    { rule: 'BUNDLE_CONTAINS_ITSELF', facts: { ...base, components: [{ sku: 'KIT', quantity: 1 }] }, expected: { ok: false, rule: 'BUNDLE_CONTAINS_ITSELF', field: 'components.0.sku' } },
    { rule: 'DUPLICATE_COMPONENT', facts: { ...base, components: [{ sku: 'MUG', quantity: 1 }, { sku: 'MUG', quantity: 1 }] }, expected: { ok: false, rule: 'DUPLICATE_COMPONENT', field: 'components.1.sku' } },
    { rule: 'COMPONENT_NOT_FOUND', facts: { ...base, components: [{ sku: 'NOPE', quantity: 1 }] }, expected: { ok: false, rule: 'COMPONENT_NOT_FOUND', field: 'components.0.sku' } },
    { rule: 'NESTED_BUNDLE', facts: { ...base, components: [{ sku: 'GIFTSET', quantity: 1 }] }, expected: { ok: false, rule: 'NESTED_BUNDLE', field: 'components.0.sku' } },
    { rule: 'STOCKED_PRODUCT_CANNOT_BECOME_BUNDLE', facts: { ...base, hasStock: true, existing: { isBundle: false } }, expected: { ok: false, rule: 'STOCKED_PRODUCT_CANNOT_BECOME_BUNDLE' } },
    { rule: 'COMPONENT_CANNOT_BECOME_BUNDLE', facts: { ...base, isComponent: true }, expected: { ok: false, rule: 'COMPONENT_CANNOT_BECOME_BUNDLE' } },
  ] as const;
  it.each(rows)('$rule', ({ facts, expected }) => {
    expect(planProductUpsert(facts)).toMatchObject(expected);
  });
});
