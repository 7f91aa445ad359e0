import { render } from 'preact';
import { browser, type Browser } from 'wxt/browser';
import { askBackground } from '../../messaging/ask-background';
import { popupPortName } from '../../background/popup-port';
import { PopupApp, type ConnectLive } from '../../popup/popup-app';
import '../../popup/popup.css';

/**
 * The background tells the open popup about every change, so what it shows
 * stays current. When the port drops (the background's worker was stopped
 * or restarted), connecting again wakes it, and everything is read again
 * since changes may have been missed meanwhile.
 */
const connectLive: ConnectLive = ({ onChanged, onClosed, onOpened }) => {
  let port: Browser.runtime.Port | null = null;
  let closing = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const open = (): boolean => {
    try {
      port = browser.runtime.connect({ name: popupPortName });
    } catch {
      return false; // the extension itself is gone (reloaded): nothing to reconnect to
    }
    port.onMessage.addListener((message: unknown) => {
      if ((message as { type?: unknown } | null)?.type === 'changed') onChanged();
    });
    port.onDisconnect.addListener(() => {
      port = null;
      if (closing) return;
      onClosed();
      retry = setTimeout(() => {
        if (closing || !open()) return;
        onOpened();
        onChanged();
      }, 1000);
    });
    return true;
  };
  if (!open()) queueMicrotask(onClosed);
  return () => {
    closing = true;
    clearTimeout(retry);
    port?.disconnect();
  };
};

const app = document.getElementById('app');
if (app) render(<PopupApp ask={askBackground} connectLive={connectLive} openOptions={() => void browser.runtime.openOptionsPage()} />, app);
