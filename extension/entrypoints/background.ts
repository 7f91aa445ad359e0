import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { handleBackgroundRequest } from '../background/handle-request';
import { createServerApi } from '../background/server-api';
import { loadSettings } from '../settings/connection-settings';

/**
 * The only part of the extension that talks to the onhand server. Content
 * scripts and pages ask it through typed messages; it holds the token.
 */
export default defineBackground(() => {
  // The token lives in storage.local, which content scripts could otherwise
  // read: keep it to the worker and the extension's own pages.
  browser.storage.local.setAccessLevel?.({ accessLevel: 'TRUSTED_CONTEXTS' }).catch(() => {
    // Older browsers only support this for storage.session; nothing else to do.
  });

  browser.runtime.onMessage.addListener((message, sender, sendResponse) => {
    // Only this extension's own scripts and pages may use the server connection.
    if (sender.id !== browser.runtime.id) return false;
    void handleBackgroundRequest(message, { loadSettings, createApi: createServerApi }).then(sendResponse);
    return true; // the reply is sent asynchronously
  });
});
