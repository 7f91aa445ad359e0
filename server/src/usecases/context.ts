import type { Db } from '../db/database';

/** Who is acting, for which tenant: every use-case takes this. */
export interface TenantScope {
  db: Db;
  tenantId: string;
  /** Recorded on every ledger entry. */
  actor: string;
}
