import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import type { Db } from './database';
import * as m0001 from './migrations/0001_ledger';
import * as m0002 from './migrations/0002_orders';
import * as m0003 from './migrations/0003_events';
import * as m0004 from './migrations/0004_outbox';
import * as m0005 from './migrations/0005_component_index';
import * as m0006 from './migrations/0006_row_security';
import * as m0007 from './migrations/0007_search';
import * as m0008 from './migrations/0008_sequencing_pass';
import { ownerScope, withScope } from './scope';

// Listed explicitly (not read from disk) so the same set runs under tsx, in
// tests and in any bundle, in this order.
const migrations: Record<string, Migration> = {
  '0001_ledger': m0001,
  '0002_orders': m0002,
  '0003_events': m0003,
  '0004_outbox': m0004,
  '0005_component_index': m0005,
  '0006_row_security': m0006,
  '0007_search': m0007,
  '0008_sequencing_pass': m0008,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  // Migrations run as the role that owns the tables, not the application role.
  const { error, results } = await withScope(ownerScope, () => migrator.migrateToLatest());
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
