import { browser } from 'wxt/browser';
import type { BackgroundReplies, BackgroundRequest } from '@onhand/shared';

/**
 * Sends one typed request to the background worker, the only part of the
 * extension that holds the token and talks to the server. Only types are
 * imported from @onhand/shared here, so no schema code lands in content
 * scripts; the background validates every request.
 */
export async function askBackground<R extends BackgroundRequest>(request: R): Promise<BackgroundReplies[R['type']]> {
  const reply: unknown = await browser.runtime.sendMessage(request);
  if (reply === undefined || reply === null) {
    throw new Error('The onhand background worker did not answer.');
  }
  return reply as BackgroundReplies[R['type']];
}
