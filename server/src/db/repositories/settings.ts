import type { DbOrTrx } from '../database';

export interface TenantSettings {
  inventoryManagedElsewhere: boolean;
  notCountedAfterDays: number;
}

export const defaultSettings: TenantSettings = { inventoryManagedElsewhere: false, notCountedAfterDays: 30 };

export async function getSettings(db: DbOrTrx, tenantId: string): Promise<TenantSettings> {
  const row = await db.selectFrom('tenant_settings').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
  return row ? { inventoryManagedElsewhere: row.inventory_managed_elsewhere, notCountedAfterDays: row.not_counted_after_days } : defaultSettings;
}

export async function saveSettings(db: DbOrTrx, tenantId: string, settings: TenantSettings): Promise<void> {
  const values = { inventory_managed_elsewhere: settings.inventoryManagedElsewhere, not_counted_after_days: settings.notCountedAfterDays };
  await db
    .insertInto('tenant_settings')
    .values({ tenant_id: tenantId, ...values })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet(values))
    .execute();
}
