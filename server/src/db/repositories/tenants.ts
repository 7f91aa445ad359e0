import type { DbOrTrx } from '../database';

export async function insertTenant(db: DbOrTrx, tenant: { id: string; name: string }): Promise<void> {
  await db.insertInto('tenants').values(tenant).execute();
}

export async function findTenant(db: DbOrTrx, tenantId: string) {
  return db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
}

export async function listTenants(db: DbOrTrx) {
  return db.selectFrom('tenants').selectAll().orderBy('created_at').orderBy('id').execute();
}
