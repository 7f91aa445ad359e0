import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ReconcileOutput, Role } from '@onhand/shared';
import type { Db } from '../db/database';
import { balancesDisagreeingWithLedger } from '../db/repositories/ledger';
import { setTenantStatus } from '../db/repositories/admin-ops';
import { findTenant, insertTenant, listTenants } from '../db/repositories/tenants';
import { findActiveTokenByHash, findTokenByHash, insertToken, listTokens, revokeToken } from '../db/repositories/tokens';
import { notFound } from '../errors';
import { reconcilePublishing } from './admin-reconcile';

/**
 * Tokens carry 256 random bits after a prefix that says what they are
 * (`onh_s_` seller, `onh_a_` admin), so they are recognisable in a leak scan.
 * Only their SHA-256 is stored: with 256 bits of entropy a slow hash adds
 * nothing.
 */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const tokenPrefix: Record<Role, string> = { seller: 'onh_s_', admin: 'onh_a_' };

export async function createTenant(db: Db, name: string): Promise<{ tenantId: string; name: string }> {
  const tenantId = `ten_${randomUUID().replaceAll('-', '')}`;
  await insertTenant(db, { id: tenantId, name });
  return { tenantId, name };
}

export async function tenantsList(db: Db) {
  const rows = await listTenants(db);
  return rows.map((t) => ({ tenantId: t.id, name: t.name, status: t.status, createdAt: new Date(t.created_at).toISOString() }));
}

export async function issueToken(db: Db, input: { tenantId?: string | undefined; role: Role; label: string }): Promise<{ tokenId: string; token: string }> {
  if (input.role === 'seller') {
    if (!input.tenantId) throw notFound('tenant', 'tenantId');
    if (!(await findTenant(db, input.tenantId))) throw notFound('tenant', 'tenantId');
  } else if (input.tenantId && !(await findTenant(db, input.tenantId))) {
    throw notFound('tenant', 'tenantId');
  }
  const token = `${tokenPrefix[input.role]}${randomBytes(32).toString('base64url')}`;
  const tokenId = `tok_${randomUUID().replaceAll('-', '')}`;
  await insertToken(db, { id: tokenId, tenantId: input.role === 'seller' ? (input.tenantId ?? null) : null, role: input.role, label: input.label, tokenHash: hashToken(token) });
  return { tokenId, token };
}

/** Registers a token whose secret the operator chose (ONHAND_ADMIN_TOKEN); idempotent. */
export async function ensureAdminToken(db: Db, token: string, label: string): Promise<void> {
  if (await findTokenByHash(db, hashToken(token))) return;
  await insertToken(db, { id: `tok_${randomUUID().replaceAll('-', '')}`, tenantId: null, role: 'admin', label, tokenHash: hashToken(token) });
}

export async function revokeTokenById(db: Db, tokenId: string): Promise<{ tokenId: string; revoked: true }> {
  const tokens = await listTokens(db);
  if (!tokens.some((t) => t.id === tokenId)) throw notFound('token', 'tokenId');
  await revokeToken(db, tokenId);
  return { tokenId, revoked: true };
}

export async function tokensList(db: Db, tenantId?: string) {
  const rows = await listTokens(db, tenantId);
  return rows.map((t) => ({
    tokenId: t.id,
    tenantId: t.tenant_id,
    role: t.role,
    label: t.label,
    createdAt: new Date(t.created_at).toISOString(),
    revokedAt: t.revoked_at ? new Date(t.revoked_at).toISOString() : null,
  }));
}

export async function authenticate(db: Db, token: string) {
  return findActiveTokenByHash(db, hashToken(token));
}

/**
 * Recomputes every balance from its ledger (a mismatch is a bug to report,
 * never repaired here), and every published listing's quantity from the
 * rules (repaired on request: `repair` re-records the right quantity and
 * queues it for the marketplace).
 */
export async function reconcile(db: Db, input: { tenantId?: string | undefined; repair?: boolean | undefined } = {}): Promise<ReconcileOutput> {
  const { tenantId } = input;
  if (tenantId !== undefined && !(await findTenant(db, tenantId))) throw notFound('tenant', 'tenantId');
  const { checked, mismatches } = await balancesDisagreeingWithLedger(db, tenantId);
  const publishing = await reconcilePublishing(db, { tenantId, repair: input.repair ?? false });
  return {
    checked,
    mismatches: mismatches.flatMap((m) => [
      ...(m.onHand !== m.onHandLedger ? [{ tenantId: m.tenantId, sourceId: m.sourceId, sku: m.sku, bucket: 'on_hand' as const, balance: m.onHand, ledgerSum: m.onHandLedger }] : []),
      ...(m.committed !== m.committedLedger ? [{ tenantId: m.tenantId, sourceId: m.sourceId, sku: m.sku, bucket: 'committed' as const, balance: m.committed, ledgerSum: m.committedLedger }] : []),
    ]),
    publishing,
  };
}

/**
 * Suspends or resumes a tenant. Authentication reads the tenant's status on
 * every request (no token cache), so its seller tokens are refused from the
 * next request on.
 */
export async function setTenantSuspended(db: Db, tenantId: string, suspended: boolean): Promise<{ tenantId: string; status: 'active' | 'suspended' }> {
  const status = suspended ? 'suspended' : 'active';
  if (!(await setTenantStatus(db, tenantId, status))) throw notFound('tenant', 'tenantId');
  return { tenantId, status };
}
