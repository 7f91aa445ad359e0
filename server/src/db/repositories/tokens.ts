import type { DbOrTrx } from '../database';

export interface TokenRow {
  id: string;
  tenantId: string | null;
  role: 'seller' | 'admin';
  label: string;
}

export async function insertToken(
  db: DbOrTrx,
  token: { id: string; tenantId: string | null; role: 'seller' | 'admin'; label: string; tokenHash: string },
): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({ id: token.id, tenant_id: token.tenantId, role: token.role, label: token.label, token_hash: token.tokenHash, revoked_at: null })
    .execute();
}

/** The live token with this hash, if its tenant (for seller tokens) is active. */
export async function findActiveTokenByHash(db: DbOrTrx, tokenHash: string): Promise<(TokenRow & { tenantName: string | null }) | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .leftJoin('tenants', 'tenants.id', 'api_tokens.tenant_id')
    .select(['api_tokens.id', 'api_tokens.tenant_id', 'api_tokens.role', 'api_tokens.label', 'tenants.name as tenant_name', 'tenants.status as tenant_status'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.tenant_id !== null && row.tenant_status !== 'active') return undefined;
  return { id: row.id, tenantId: row.tenant_id, role: row.role, label: row.label, tenantName: row.tenant_name };
}

export async function findTokenByHash(db: DbOrTrx, tokenHash: string) {
  return db.selectFrom('api_tokens').select(['id']).where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function revokeToken(db: DbOrTrx, tokenId: string): Promise<boolean> {
  const result = await db
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function listTokens(db: DbOrTrx, tenantId?: string) {
  let query = db.selectFrom('api_tokens').select(['id', 'tenant_id', 'role', 'label', 'created_at', 'revoked_at']);
  if (tenantId) query = query.where('tenant_id', '=', tenantId);
  return query.orderBy('created_at').orderBy('id').execute();
}
