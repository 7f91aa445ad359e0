import { browser, type Browser } from 'wxt/browser';
import type { WatchMessage } from '@onhand/shared';
import { changesPortName } from '../messaging/changes-port';
import type { LiveLink } from './listing-overlay';

/** How often the tab re-sends what it shows; it also keeps the background worker awake while a portal is open. */
const resendMs = 20_000;
const reconnectMs = 2_000;

/**
 * The tab's end of live updates: a port to the background, which holds the
 * one server subscription and says "changed" when an event touches this
 * tab's products or listings. A port that drops (worker restarted, extension
 * updated) is reopened, and the tab looks up once more, since events may
 * have been missed in between.
 */
export function connectLiveChanges(onChanged: () => void): LiveLink {
  let port: Browser.runtime.Port | null = null;
  let stopped = false;
  let last: WatchMessage = { type: 'watch', skus: [], listingIds: [] };

  const send = () => {
    try {
      port?.postMessage(last);
    } catch {
      port = null; // disconnected; onDisconnect reconnects
    }
  };

  const connect = (missedSome: boolean) => {
    if (stopped) return;
    try {
      port = browser.runtime.connect({ name: changesPortName });
    } catch {
      return; // the extension was reloaded: this content script is finished
    }
    port.onMessage.addListener((message: unknown) => {
      if ((message as { type?: unknown } | null)?.type === 'changed') onChanged();
    });
    port.onDisconnect.addListener(() => {
      port = null;
      if (!stopped) setTimeout(() => connect(true), reconnectMs);
    });
    send();
    if (missedSome) onChanged();
  };

  connect(false);
  const timer = setInterval(send, resendMs);
  return {
    watch(skus, listingIds) {
      last = { type: 'watch', skus: skus.slice(0, 1000), listingIds: listingIds.slice(0, 1000) };
      send();
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      port?.disconnect();
      port = null;
    },
  };
}
