import { accept, reject, type Decision } from './result';

export type CatalogRule =
  | 'BUNDLE_CONTAINS_ITSELF'
  | 'DUPLICATE_COMPONENT'
  | 'COMPONENT_NOT_FOUND'
  | 'NESTED_BUNDLE'
  | 'STOCKED_PRODUCT_CANNOT_BECOME_BUNDLE'
  | 'COMPONENT_CANNOT_BECOME_BUNDLE'
  | 'BUNDLE_NEEDS_COMPONENTS';

export interface ProductUpsertFacts {
  sku: string;
  components: readonly { sku: string; quantity: number }[] | undefined;
  /** The component SKUs that exist, and whether each is a bundle. */
  knownComponents: ReadonlyMap<string, { isBundle: boolean }>;
  /** The product already has ledger entries (stock of its own). */
  hasStock: boolean;
  /** Some bundle uses this product as a component. */
  isComponent: boolean;
  existing: { isBundle: boolean } | undefined;
}

/**
 * Whether a product upsert is allowed and whether the result is a bundle.
 * `components` absent keeps what the product is; an empty list is refused
 * (a bundle of nothing would publish 0 forever).
 */
export function planProductUpsert(facts: ProductUpsertFacts): Decision<{ isBundle: boolean }, CatalogRule> {
  if (facts.components === undefined) return accept({ isBundle: facts.existing?.isBundle ?? false });
  if (facts.components.length === 0) return reject('BUNDLE_NEEDS_COMPONENTS', 'must list at least one component', 'components');
  const seen = new Set<string>();
  for (const [index, component] of facts.components.entries()) {
    const field = `components.${index}.sku`;
    if (component.sku === facts.sku) return reject('BUNDLE_CONTAINS_ITSELF', 'a bundle cannot contain itself', field);
    if (seen.has(component.sku)) return reject('DUPLICATE_COMPONENT', `${component.sku} is listed twice`, field);
    seen.add(component.sku);
    const known = facts.knownComponents.get(component.sku);
    if (!known) return reject('COMPONENT_NOT_FOUND', `${component.sku} is not a product`, field);
    if (known.isBundle) return reject('NESTED_BUNDLE', `${component.sku} is itself a bundle`, field);
  }
  if (!facts.existing?.isBundle && facts.hasStock) {
    return reject('STOCKED_PRODUCT_CANNOT_BECOME_BUNDLE', `${facts.sku} has stock of its own; a bundle holds none`, 'components');
  }
  if (facts.isComponent) return reject('COMPONENT_CANNOT_BECOME_BUNDLE', `${facts.sku} is a component of another bundle`, 'components');
  return accept({ isBundle: true });
}
