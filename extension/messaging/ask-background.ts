import { browser } from 'wxt/browser';
import type { BackgroundRequest, BySkusReply, ConnectionStatus } from '@onhand/shared';

type ReplyTo<R extends BackgroundRequest> = R extends { type: 'inventory.bySkus' }
  ? BySkusReply
  : R extends { type: 'connection.status' }
    ? ConnectionStatus
    : never;

/**
 * Sends one typed request to the background worker, the only part of the
 * extension that holds the token and talks to the server. Only types are
 * imported from @onhand/shared here, so no schema code lands in content
 * scripts; the background validates every request.
 */
export async function askBackground<R extends BackgroundRequest>(request: R): Promise<ReplyTo<R>> {
  const reply: unknown = await browser.runtime.sendMessage(request);
  if (reply === undefined || reply === null) {
    throw new Error('The onhand background worker did not answer.');
  }
  return reply as ReplyTo<R>;
}
