import type { ChangeEvent } from '../db/repositories/events';
import type { ChangeFeed } from './change-feed';

/**
 * One subscriber's stream: live events are buffered from the moment of
 * subscribing, the backlog after `lastEventId` is read, and the two are
 * joined without gaps or repeats (by seq). Ends when `signal` aborts.
 */
export async function* tenantEvents(feed: ChangeFeed, tenantId: string, lastEventId: string | undefined, signal: AbortSignal | undefined): AsyncGenerator<ChangeEvent> {
  const buffer: ChangeEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = feed.subscribe(tenantId, (event) => {
    buffer.push(event);
    wake?.();
  });
  const aborted = new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
  try {
    let cursor = BigInt(lastEventId ?? '-1');
    if (lastEventId !== undefined) {
      for (;;) {
        const page = await feed.backfill(tenantId, cursor.toString());
        for (const event of page) {
          cursor = BigInt(event.id);
          yield event;
        }
        if (page.length < 1000) break;
      }
    }
    while (!signal?.aborted) {
      const event = buffer.shift();
      if (event) {
        if (BigInt(event.id) > cursor) {
          cursor = BigInt(event.id);
          yield event;
        }
        continue;
      }
      await Promise.race([new Promise<void>((resolve) => (wake = resolve)), aborted]);
      wake = undefined;
    }
  } finally {
    unsubscribe();
  }
}
