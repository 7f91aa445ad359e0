import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { ChangesHub } from '../background/changes-hub';
import { handleBackgroundRequest } from '../background/handle-request';
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
  const deps = { loadSettings, createApi: createServerApi };
  const hub = new ChangesHub(deps);

  browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
    // Only this extension's own pages and its content scripts on portal pages may use the server connection.
    if (!senderKind(sender, browser.runtime.id)) return false;
    void handleBackgroundRequest(message, deps).then(sendResponse);
    return true; // the reply is sent asynchronously
  });

  browser.runtime.onConnect.addListener((port) => {
    if (port.name !== changesPortName || senderKind(port.sender ?? {}, browser.runtime.id) !== 'content-script') {
      port.disconnect();
      return;
    }
    hub.add(port);
  });

  // Saving other settings in the options page moves the subscription to the new server or token.
  browser.storage.onChanged.addListener((_changes, area) => {
    if (area === 'local') hub.restart();
  });
});
