import type { BackgroundReplies, BackgroundRequest, Failure } from '@onhand/shared';

/** Asks the background (the only part that talks to the server); a fake in tests. */
export type Ask = <R extends BackgroundRequest>(request: R) => Promise<BackgroundReplies[R['type']]>;

/**
 * One idempotency key per user intent: made when the seller starts an action
 * (opens its confirmation), reused by every click on it, so a double click
 * or a retry writes once.
 */
export function newIntentKey(): string {
  return `popup-${crypto.randomUUID()}`;
}

export const notResponding: Failure = { ok: false, problem: 'error', message: 'The onhand extension is not responding. Reopen this window.' };

/** `ask`, with a dead background turned into a failure reply instead of a throw. */
export async function safely<R extends BackgroundRequest>(ask: Ask, request: R): Promise<BackgroundReplies[R['type']] | Failure> {
  try {
    return await ask(request);
  } catch {
    return notResponding;
  }
}
