import type { Source } from '@onhand/shared';
import type { DbOrTrx, SourcesTable } from '../database';

const toSource = (row: Omit<SourcesTable, 'tenant_id' | 'created_at'>): Source => ({
  sourceId: row.id,
  name: row.name,
  kind: row.kind,
  isDefault: row.is_default,
  autoFulfill: row.auto_fulfill,
  shipsTo: row.ships_to,
  priority: row.priority,
});

const columns = ['id', 'name', 'kind', 'is_default', 'auto_fulfill', 'ships_to', 'priority'] as const;

export async function listSources(db: DbOrTrx, tenantId: string): Promise<Source[]> {
  const rows = await db
    .selectFrom('sources')
    .select(columns)
    .where('tenant_id', '=', tenantId)
    .orderBy('priority')
    .orderBy('name')
    .execute();
  return rows.map(toSource);
}

export async function findSource(db: DbOrTrx, tenantId: string, sourceId: string): Promise<Source | undefined> {
  const row = await db
    .selectFrom('sources')
    .select(columns)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', sourceId)
    .executeTakeFirst();
  return row ? toSource(row) : undefined;
}

/** Locks every source row of the tenant (in id order) for a default change. */
export async function lockSources(db: DbOrTrx, tenantId: string): Promise<Source[]> {
  const rows = await db
    .selectFrom('sources')
    .select(columns)
    .where('tenant_id', '=', tenantId)
    .orderBy('id')
    .forUpdate()
    .execute();
  return rows.map(toSource);
}

export async function insertSource(
  db: DbOrTrx,
  tenantId: string,
  source: Source,
): Promise<void> {
  await db
    .insertInto('sources')
    .values({
      tenant_id: tenantId,
      id: source.sourceId,
      name: source.name,
      kind: source.kind,
      is_default: source.isDefault,
      auto_fulfill: source.autoFulfill,
      ships_to: source.shipsTo,
      priority: source.priority,
    })
    .execute();
}

export async function updateSource(
  db: DbOrTrx,
  tenantId: string,
  sourceId: string,
  patch: Partial<{ name: string; autoFulfill: boolean; shipsTo: string[]; priority: number; isDefault: boolean }>,
): Promise<void> {
  const set: Partial<Record<string, unknown>> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.autoFulfill !== undefined) set.auto_fulfill = patch.autoFulfill;
  if (patch.shipsTo !== undefined) set.ships_to = patch.shipsTo;
  if (patch.priority !== undefined) set.priority = patch.priority;
  if (patch.isDefault !== undefined) set.is_default = patch.isDefault;
  if (Object.keys(set).length === 0) return;
  await db.updateTable('sources').set(set).where('tenant_id', '=', tenantId).where('id', '=', sourceId).execute();
}
