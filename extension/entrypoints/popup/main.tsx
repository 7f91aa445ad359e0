import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { browser } from 'wxt/browser';
import type { ConnectionStatus } from '@onhand/shared';
import { askBackground } from '../../messaging/ask-background';
import { ConnectionStatusView } from '../../pages/connection-status-view';
import '../../pages/pages.css';

/** The toolbar popup: is onhand connected, to which account, and how to fix it when not. */
function Popup() {
  const [status, setStatus] = useState<ConnectionStatus | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    askBackground({ type: 'connection.status' }).then(setStatus, () =>
      setError('The onhand extension is not responding. Try reopening this window.'),
    );
  }, []);

  return (
    <main>
      <h1>
        <span class="brand">onhand</span>
      </h1>
      <ConnectionStatusView status={status} error={error} />
      <p>
        <a href="#" onClick={(event) => { event.preventDefault(); void browser.runtime.openOptionsPage(); }}>
          Connection settings
        </a>
      </p>
    </main>
  );
}

const app = document.getElementById('app');
if (app) render(<Popup />, app);
