import type { Marketplace } from '@onhand/shared';
import type { MarketplaceConnector, PushRequest, PushResult } from './connector';

// The connector for the marketplace simulator: one PUT per push, its HTTP
// answer translated into what the outbox drainer decides on (retry now,
// wait, re-read, or give up). `push` never throws: every failure, the
// caller's abort included, is a PushResult, so the drainer has one path.

export interface SimulatorConnectorOptions {
  marketplace: Marketplace;
  /** e.g. http://127.0.0.1:4100 */
  baseUrl: string;
  /** The seller account's bearer token on the simulator. */
  token: string;
  fetchImpl?: typeof fetch;
  /** Per request; a slower answer counts as transient. */
  timeoutMs?: number;
}

const defaultTimeoutMs = 10_000;
/** When a 429 names no wait, one second is what most marketplaces mean. */
const defaultRetryAfterMs = 1_000;

export function createSimulatorConnector(options: SimulatorConnectorOptions): MarketplaceConnector {
  const fetchImpl = options.fetchImpl ?? fetch;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;

  return {
    marketplace: options.marketplace,
    async push(request: PushRequest, signal?: AbortSignal): Promise<PushResult> {
      // The simulator keys a listing the way the marketplace shows it: the
      // seller SKU when there is one, else the marketplace's own id.
      const key = request.channelSku ?? request.externalId;
      if (key === null || key === '') return { ok: false, kind: 'rejected', message: `listing ${request.listingId} has neither channelSku nor externalId` };

      const timeout = AbortSignal.timeout(timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let response: Response;
      let body: unknown;
      try {
        response = await fetchImpl(`${baseUrl}/v1/listings/${encodeURIComponent(key)}/quantity`, {
          method: 'PUT',
          headers: {
            Authorization: `Bearer ${options.token}`,
            'Content-Type': 'application/json',
            'Idempotency-Key': request.pushId,
          },
          body: JSON.stringify({ quantity: request.quantity, ...(request.expectedQuantity === null ? {} : { expectedQuantity: request.expectedQuantity }) }),
          signal: combined,
        });
        body = await readBody(response);
      } catch (err) {
        // Whether the write happened is unknown; a retry with the same pushId
        // is safe either way, which is what transient means here.
        if (signal?.aborted) return { ok: false, kind: 'transient', message: 'push aborted by caller' };
        if (timeout.aborted) return { ok: false, kind: 'transient', message: `no answer within ${timeoutMs} ms` };
        return { ok: false, kind: 'transient', message: `network error: ${err instanceof Error ? err.message : String(err)}` };
      }
      return toResult(response, body);
    },
  };
}

/** Maps one HTTP answer to a PushResult; exported for tests of the edge cases. */
export function toResult(response: Pick<Response, 'status' | 'headers'>, body: unknown): PushResult {
  const { status } = response;
  const detail = `HTTP ${status}${errorText(body) ? `: ${errorText(body)}` : ''}`;
  if (status >= 200 && status < 300) {
    const quantity = numberField(body, 'quantity');
    // A 2xx we cannot read may still have been applied; retrying with the
    // same pushId replays the answer instead of writing again.
    return quantity === undefined ? { ok: false, kind: 'transient', message: `${detail}: answer without a quantity` } : { ok: true, quantity };
  }
  if (status === 429) return { ok: false, kind: 'rate_limited', retryAfterMs: retryAfterMs(response.headers), message: detail };
  if (status === 409) {
    const currentQuantity = numberField(body, 'currentQuantity');
    return currentQuantity === undefined
      ? { ok: false, kind: 'transient', message: `${detail}: conflict without currentQuantity` }
      : { ok: false, kind: 'conflict', currentQuantity, message: detail };
  }
  // 408 is "you were too slow", not "this request is wrong".
  if (status >= 500 || status === 408) return { ok: false, kind: 'transient', message: detail };
  return { ok: false, kind: 'rejected', message: detail };
}

/** Retry-After-Ms (exact) first, then Retry-After as seconds or an HTTP date. */
export function retryAfterMs(headers: Pick<Headers, 'get'>, now = Date.now()): number {
  const exact = headers.get('retry-after-ms');
  if (exact !== null && exact.trim() !== '' && Number.isFinite(Number(exact)) && Number(exact) >= 0) return Math.ceil(Number(exact));
  const value = headers.get('retry-after');
  if (value !== null) {
    const seconds = Number(value);
    if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
    const date = Date.parse(value);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  return defaultRetryAfterMs;
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 200);
  }
}

function numberField(body: unknown, name: string): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function errorText(body: unknown): string | undefined {
  if (typeof body === 'string') return body || undefined;
  if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string') return (body as { error: string }).error.slice(0, 500);
  return undefined;
}
