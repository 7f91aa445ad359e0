import { sql } from 'kysely';
import type { Marketplace } from '@onhand/shared';
import type { DbOrTrx } from '../database';

export interface ClaimedPush {
  tenantId: string;
  listingId: string;
  channelId: string;
  marketplace: Marketplace;
  region: string;
  channelSku: string | null;
  externalId: string | null;
  desired: number;
  version: number;
  acknowledged: number | null;
  attempts: number;
}

/**
 * Leases due outbox rows to this drainer (other drainers skip them); a lease
 * that runs out (the drainer died mid-push) makes the row due again, and the
 * retry carries the same push id, so the marketplace applies it once.
 */
export async function leaseDuePushes(db: DbOrTrx, options: { limit: number; leaseMs: number; excludeChannels: readonly string[] }): Promise<ClaimedPush[]> {
  const exclude = options.excludeChannels.length ? sql`and c.id not in (${sql.join(options.excludeChannels)})` : sql``;
  const result = await sql<{
    tenant_id: string;
    listing_id: string;
    channel_id: string;
    marketplace: Marketplace;
    region: string;
    channel_sku: string | null;
    external_id: string | null;
    desired: number;
    version: number;
    acknowledged: number | null;
    attempts: number;
  }>`
    with due as (
      select p.tenant_id, p.listing_id from listing_pushes p
      join listings l on l.tenant_id = p.tenant_id and l.id = p.listing_id
      join channels c on c.tenant_id = l.tenant_id and c.id = l.channel_id
      where p.state in ('pending', 'failed') and p.next_attempt_at <= now()
        and (p.lease_until is null or p.lease_until < now()) ${exclude}
      order by p.next_attempt_at
      limit ${options.limit}
      for update of p skip locked
    )
    update listing_pushes p set lease_until = now() + make_interval(secs => ${options.leaseMs / 1000})
    from due, listings l, channels c
    where p.tenant_id = due.tenant_id and p.listing_id = due.listing_id
      and l.tenant_id = p.tenant_id and l.id = p.listing_id and c.tenant_id = l.tenant_id and c.id = l.channel_id
    returning p.tenant_id, p.listing_id, l.channel_id, c.marketplace, c.region, l.channel_sku, l.external_id, p.desired, p.version, p.acknowledged, p.attempts
  `.execute(db);
  return result.rows.map((r) => ({
    tenantId: r.tenant_id,
    listingId: r.listing_id,
    channelId: r.channel_id,
    marketplace: r.marketplace,
    region: r.region,
    channelSku: r.channel_sku,
    externalId: r.external_id,
    desired: Number(r.desired),
    version: Number(r.version),
    acknowledged: r.acknowledged === null ? null : Number(r.acknowledged),
    attempts: Number(r.attempts),
  }));
}

/** The marketplace now shows `quantity`; acknowledged unless a newer desired arrived meanwhile. */
export async function recordPushed(db: DbOrTrx, push: ClaimedPush, quantity: number): Promise<'acknowledged' | 'pending'> {
  const result = await sql<{ state: 'acknowledged' | 'pending' }>`
    update listing_pushes set pushed = ${quantity}, acknowledged = ${quantity}, pushed_at = now(), acknowledged_at = now(),
      attempts = 0, last_error = null, lease_until = null,
      state = case when version = ${push.version} then 'acknowledged' else 'pending' end
    where tenant_id = ${push.tenantId} and listing_id = ${push.listingId}
    returning state
  `.execute(db);
  return result.rows[0]?.state ?? 'pending';
}

/** A push that did not take: when to try again, and why it failed. */
export async function recordPushFailure(
  db: DbOrTrx,
  push: ClaimedPush,
  failure: { retryInMs: number; error: string; state: 'pending' | 'failed'; marketplaceQuantity?: number | undefined },
): Promise<void> {
  await sql`
    update listing_pushes set attempts = attempts + 1, last_error = ${failure.error}, lease_until = null,
      next_attempt_at = now() + make_interval(secs => ${failure.retryInMs / 1000}),
      state = case when version = ${push.version} then ${failure.state} else 'pending' end,
      acknowledged = coalesce(${failure.marketplaceQuantity ?? null}::int, acknowledged)
    where tenant_id = ${push.tenantId} and listing_id = ${push.listingId}
  `.execute(db);
}
