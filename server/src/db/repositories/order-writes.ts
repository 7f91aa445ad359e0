import { sql } from 'kysely';
import type { Source } from '@onhand/shared';
import type { DbOrTrx } from '../database';
import type { ProductRow } from './products';

// What order routing reads about the catalogue, in one statement (what a
// batch of orders writes is in order-batches.ts).

const parseJson = <T>(value: T | string): T => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

export interface RoutingCatalog {
  products: ProductRow[];
  components: { bundle_sku: string; component_sku: string; quantity: number }[];
  sources: Source[];
}

interface SourceJson {
  id: string;
  name: string;
  kind: Source['kind'];
  is_default: boolean;
  auto_fulfill: boolean;
  ships_to: string[] | null;
  priority: number;
}

/** The products of `skus`, the components of those that are bundles, and every source of the tenant (routing order). */
export async function loadRoutingCatalog(db: DbOrTrx, tenantId: string, skus: readonly string[]): Promise<RoutingCatalog> {
  const skuList = skus.length > 0 ? sql.join(skus) : sql`null`;
  const result = await sql<{ products: unknown; components: unknown; sources: unknown }>`
    select
      coalesce((select json_agg(json_build_object('sku', p.sku, 'title', p.title, 'isBundle', p.is_bundle))
        from products p where p.tenant_id = ${tenantId} and p.sku in (${skuList})), '[]'::json) as products,
      coalesce((select json_agg(json_build_object('bundle_sku', c.bundle_sku, 'component_sku', c.component_sku, 'quantity', c.quantity) order by c.bundle_sku, c.component_sku)
        from bundle_components c where c.tenant_id = ${tenantId} and c.bundle_sku in (${skuList})), '[]'::json) as components,
      coalesce((select json_agg(json_build_object('id', s.id, 'name', s.name, 'kind', s.kind, 'is_default', s.is_default,
          'auto_fulfill', s.auto_fulfill, 'ships_to', s.ships_to, 'priority', s.priority) order by s.priority, s.name)
        from sources s where s.tenant_id = ${tenantId}), '[]'::json) as sources
  `.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('loadRoutingCatalog returned no row');
  return {
    products: parseJson(row.products as ProductRow[] | string),
    components: parseJson(row.components as RoutingCatalog['components'] | string),
    sources: parseJson(row.sources as SourceJson[] | string).map((s) => ({
      sourceId: s.id,
      name: s.name,
      kind: s.kind,
      isDefault: s.is_default,
      autoFulfill: s.auto_fulfill,
      shipsTo: s.ships_to ?? [],
      priority: s.priority,
    })),
  };
}
