import { createTRPCClient, httpLink, TRPCClientError, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '@onhand/server';
import type { LedgerEntry } from '@onhand/shared';
import { sleep } from './server-process';

export type Api = TRPCClient<AppRouter>;

/** A hang guard per attempt (a server that never answers is retried), not an assertion. */
const attemptLimitMs = 60_000;

/** One request per call (no batching), so each event is sent, failed and retried on its own. */
export function apiClient(url: string, token: string): Api {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        headers: { Authorization: `Bearer ${token}` },
        fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(attemptLimitMs) }),
      }),
    ],
  });
}

/** What the retries met on the way to acknowledgements. */
export interface RetryStats {
  attempts: number;
  acknowledged: number;
  /** Connection refused or cut, no answer: the server was down or died mid-request. */
  unanswered: number;
  /** TOO_MANY_REQUESTS / SERVICE_UNAVAILABLE: the server said "retry". */
  retryLater: number;
  /** INTERNAL_SERVER_ERROR answers (a bug: a lost connection or a crash must never look like one). */
  internalErrors: string[];
}

export const newRetryStats = (): RetryStats => ({ attempts: 0, acknowledged: 0, unanswered: 0, retryLater: 0, internalErrors: [] });

const retryLaterCodes = new Set(['TOO_MANY_REQUESTS', 'SERVICE_UNAVAILABLE']);

/**
 * Sends `call` until the server acknowledges it, as a marketplace's sender
 * does: the same request (same idempotency key) again after no answer, a
 * "retry later" or an internal error. Any other refusal is a bug in the
 * events or the server and is thrown.
 */
export async function untilAcknowledged<T>(stats: RetryStats, call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let failures = 0; ; failures += 1) {
    // The fault injector gave up (e.g. the server did not come back): stop instead of retrying forever.
    signal?.throwIfAborted();
    stats.attempts += 1;
    try {
      const result = await call();
      stats.acknowledged += 1;
      return result;
    } catch (error) {
      if (!(error instanceof TRPCClientError)) throw error;
      const code = (error as TRPCClientError<AppRouter>).data?.code;
      if (code === undefined) stats.unanswered += 1;
      else if (retryLaterCodes.has(code)) stats.retryLater += 1;
      else if (code === 'INTERNAL_SERVER_ERROR') stats.internalErrors.push(error.message);
      else throw error;
    }
    // Back off a little while the server is down (up to a quarter second, so a restarted server is found soon).
    await sleep(Math.min(250, 10 * 2 ** Math.min(failures, 5)) * (0.5 + Math.random()));
  }
}

/**
 * A read (or a check that writes nothing) sent again when the connection
 * closed unanswered or the server said "retry": e.g. a kept-alive socket
 * the server closed for idleness while the test was busy computing. Other
 * errors are thrown.
 */
export async function retryRead<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      const code = error instanceof TRPCClientError ? (error as TRPCClientError<AppRouter>).data?.code : undefined;
      const retryable = transportFailureOf(error) === 'cut' || (code !== undefined && retryLaterCodes.has(code));
      if (!retryable || attempt >= 5) throw error;
      await sleep(100 * attempt);
    }
  }
}

/**
 * Why a request got no answer: `refused` (nothing listens: the connection
 * was never made, so the server never saw the request) or `cut` (the
 * connection closed before an answer). undefined: it was answered.
 */
export function transportFailureOf(error: unknown): 'refused' | 'cut' | undefined {
  if (!(error instanceof TRPCClientError) || (error as TRPCClientError<AppRouter>).data?.code !== undefined) return undefined;
  for (let cause: unknown = error.cause; cause; cause = (cause as { cause?: unknown }).cause) {
    if ((cause as { code?: unknown }).code === 'ECONNREFUSED') return 'refused';
  }
  return 'cut';
}

/** The tenant's whole ledger through GET /admin/ledger.jsonl (streamed by the server); sent again if the connection closes under it. */
export async function exportLedger(url: string, adminToken: string, tenantId: string): Promise<LedgerEntry[]> {
  for (let attempt = 1; ; attempt += 1) {
    let text: string;
    try {
      const res = await fetch(`${url}/admin/ledger.jsonl?tenantId=${encodeURIComponent(tenantId)}`, { headers: { Authorization: `Bearer ${adminToken}` } });
      text = await res.text();
      if (res.status !== 200) throw new Error(`ledger export answered ${res.status}: ${text}`);
    } catch (error) {
      // fetch() rejects with a TypeError when the connection fails; anything else is an answer.
      if (!(error instanceof TypeError) || attempt >= 5) throw error;
      await sleep(100 * attempt);
      continue;
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LedgerEntry);
  }
}
