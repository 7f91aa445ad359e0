import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { AttentionBadge } from '../background/attention-badge';
import { ChangesHub } from '../background/changes-hub';
import { connectionStorageKeys, loadDisabledPortals } from '../background/overlay-portals';
import { popupPortName } from '../background/popup-port';
import { handleBackgroundRequest } from '../background/handle-request';
import { KeepAlive } from '../background/keep-alive';
import { senderKind } from '../background/sender-check';
import { createServerApi } from '../background/server-api';
import { changesPortName } from '../messaging/changes-port';
import { loadSettings } from '../settings/connection-settings';

/**
 * The only part of the extension that talks to the onhand server. Content
 * scripts and pages ask it through typed messages; it holds the token and
 * the one live subscription all portal tabs share.
 */
export default defineBackground(() => {
  // The token lives in storage.local, which content scripts could otherwise
  // read: keep it to the worker and the extension's own pages.
  browser.storage.local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => {
    // Older browsers only support this for storage.session; nothing else to do.
  });
  const deps = { loadSettings, createApi: createServerApi, loadDisabledPortals };
  // The worker stays up while it holds the live subscription (the badge needs it), and an alarm wakes it if it was stopped anyway.
  const keepAlive = new KeepAlive({ ping: () => browser.runtime.getPlatformInfo(), alarms: browser.alarms });
  const hub = new ChangesHub({ ...deps, onActiveChange: (active) => (active ? keepAlive.start() : keepAlive.stop()) });
  // Waking is all the alarm is for: this start already recounts the badge and reopens the subscription.
  browser.alarms?.onAlarm.addListener(() => {});

  // The toolbar badge counts what needs attention, recounted on every change the live subscription brings.
  const badge = new AttentionBadge({
    ...deps,
    async setBadge({ text, color, title }) {
      await Promise.all([browser.action.setBadgeText({ text }), browser.action.setBadgeBackgroundColor({ color }), browser.action.setTitle({ title })]);
    },
  });
  hub.listen(() => badge.refresh());
  void badge.recount();

  browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
    // Only this extension's own pages and its content scripts on portal pages may use the server connection.
    const kind = senderKind(sender, browser.runtime.id);
    if (!kind) return false;
    void handleBackgroundRequest(message, deps, kind).then(sendResponse);
    return true; // the reply is sent asynchronously
  });

  browser.runtime.onConnect.addListener((port) => {
    const kind = senderKind(port.sender ?? {}, browser.runtime.id);
    const allowed = (port.name === changesPortName && kind === 'content-script') || (port.name === popupPortName && kind === 'extension-page');
    if (!allowed) {
      port.disconnect();
      return;
    }
    hub.add(port, { everything: port.name === popupPortName });
  });

  // Another server or token in the options moves the subscription there and recounts the badge.
  browser.storage.onChanged.addListener((changes, area) => {
    if (area !== 'local' || !Object.keys(changes).some((key) => connectionStorageKeys.includes(key))) return;
    hub.restart();
    badge.refresh();
  });
});
