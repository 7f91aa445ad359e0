import { render } from 'preact';
import { browser } from 'wxt/browser';
import { askBackground } from '../../messaging/ask-background';
import { popupPortName } from '../../background/popup-port';
import { PopupApp, type ConnectLive } from '../../popup/popup-app';
import '../../popup/popup.css';

/** The background tells the open popup about every change, so what it shows stays current. */
const connectLive: ConnectLive = ({ onChanged, onClosed }) => {
  const port = browser.runtime.connect({ name: popupPortName });
  port.onMessage.addListener((message: unknown) => {
    if ((message as { type?: unknown } | null)?.type === 'changed') onChanged();
  });
  port.onDisconnect.addListener(() => onClosed());
  return () => port.disconnect();
};

const app = document.getElementById('app');
if (app) render(<PopupApp ask={askBackground} connectLive={connectLive} openOptions={() => void browser.runtime.openOptionsPage()} />, app);
