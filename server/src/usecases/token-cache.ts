import { createHash } from 'node:crypto';
import type { Db } from '../db/database';
import { platformScope, withScope } from '../db/scope';
import { authenticate } from './admin';

type AuthenticatedToken = NonNullable<Awaited<ReturnType<typeof authenticate>>>;

/**
 * Remembers valid tokens for a few seconds so a busy client's requests do
 * not each read `api_tokens` (a round trip, and a switch of the connection
 * to the platform scope and back).
 *
 * Revoking a token or suspending a tenant is an admin mutation: it forgets
 * every cached token of this process at once and NOTIFYs the other processes
 * on the database (ChangeFeed.authChanged), which forget theirs on receipt.
 * `cacheTtlMs` bounds how long a missed notification can matter.
 * Unknown tokens are never cached (a flood of random tokens cannot grow it).
 */
const cacheTtlMs = 5000;
const entriesMax = 10_000;

interface Entry {
  token: AuthenticatedToken;
  expiresAtMs: number;
}

const cachesByDb = new WeakMap<Db, Map<string, Entry>>();

/** What a bearer token is known by in memory (caches, rate buckets): never the token itself. */
export const bearerTokenKey = (bearerToken: string) => createHash('sha256').update(bearerToken).digest('base64url');

/** `key` is `bearerTokenKey(bearerToken)`, when the caller has it already (the HTTP request computes it once). */
export async function authenticateCached(db: Db, bearerToken: string, key = bearerTokenKey(bearerToken)): Promise<AuthenticatedToken | undefined> {
  let cache = cachesByDb.get(db);
  if (!cache) cachesByDb.set(db, (cache = new Map()));
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.expiresAtMs > now) return hit.token;
  const generation = generationOf(db);
  // Tokens are looked up before the tenant is known: a platform read.
  const token = await withScope(platformScope, () => authenticate(db, bearerToken));
  if (!token) {
    cache.delete(key);
    return undefined;
  }
  // A revocation that landed while this lookup ran must not be undone by it.
  if (generationOf(db) === generation) {
    if (cache.size >= entriesMax) cache.clear();
    cache.set(key, { token, expiresAtMs: now + cacheTtlMs });
  }
  return token;
}

const generations = new WeakMap<Db, number>();
const generationOf = (db: Db) => generations.get(db) ?? 0;

/** Forgets every cached token of this database (after revoke/suspend, or a peer's notification). */
export function forgetTokens(db: Db): void {
  generations.set(db, generationOf(db) + 1);
  cachesByDb.get(db)?.clear();
}
