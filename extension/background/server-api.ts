import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@onhand/server';
import type { BySkusOutput, ConnectionProblem } from '@onhand/shared';
import type { ConnectionSettings } from '../settings/connection-settings';

/** The few server calls the extension makes, behind one seam for tests. */
export interface ServerApi {
  health(): Promise<unknown>;
  account(): Promise<{ tenantName: string }>;
  bySkus(skus: string[]): Promise<BySkusOutput>;
}

export interface Failure {
  problem: ConnectionProblem;
  message: string;
}

/** A server that does not answer within this is treated as unreachable. */
const requestTimeoutMs = 10_000;

function fetchWithTimeout(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const timeout = AbortSignal.timeout(requestTimeoutMs);
  const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  return fetch(input, { ...init, signal });
}

/**
 * A tRPC client for the configured server. `httpBatchLink` folds calls made in
 * the same tick (e.g. health + account for the status check) into one request.
 */
export function createServerApi(settings: ConnectionSettings): ServerApi {
  const client = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${settings.serverUrl}/trpc`,
        fetch: fetchWithTimeout,
        headers: () => (settings.token ? { Authorization: `Bearer ${settings.token}` } : {}),
      }),
    ],
  });
  return {
    health: () => client.health.check.query(),
    account: () => client.account.get.query(),
    bySkus: (skus) => client.inventory.bySkus.query({ skus }),
  };
}

/** Turns whatever a call threw into a problem a seller can act on. */
export function describeFailure(error: unknown): Failure {
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; httpStatus?: number } | undefined;
    const status = data?.httpStatus ?? responseStatus(error);
    if (data?.code === 'UNAUTHORIZED' || status === 401) {
      return { problem: 'unauthorized', message: 'The server did not accept the token. Check it in the onhand options.' };
    }
    if (!data && isNetworkFailure(error.cause)) return unreachable();
    if (!data) return { problem: 'error', message: 'The address does not answer like an onhand server.' };
    return { problem: 'error', message: `The server reported an error (${data.code ?? status ?? 'unknown'}).` };
  }
  if (isNetworkFailure(error)) return unreachable();
  return { problem: 'error', message: 'Something went wrong while asking the onhand server.' };
}

function unreachable(): Failure {
  return { problem: 'unreachable', message: 'The onhand server cannot be reached. Is it running?' };
}

/** fetch rejects with a TypeError when nothing answers, and with an abort when our timeout fires. */
function isNetworkFailure(cause: unknown): boolean {
  if (cause instanceof TypeError) return true;
  const name = (cause as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

function responseStatus(error: TRPCClientError<AppRouter>): number | undefined {
  const response = (error.meta as { response?: { status?: unknown } } | undefined)?.response;
  return typeof response?.status === 'number' ? response.status : undefined;
}
