import { render } from 'preact';
import { browser } from 'wxt/browser';
import { useEffect, useState } from 'preact/hooks';
import type { ConnectionStatus } from '@onhand/shared';
import { askBackground } from '../../messaging/ask-background';
import { ConnectionStatusView } from '../../pages/connection-status-view';
import { OverlayPortalsSection, TenantSettingsSection } from '../../pages/options-sections';
import { loadSettings, normaliseServerUrl, saveSettings } from '../../settings/connection-settings';
import '../../pages/pages.css';

/**
 * Connects the extension to a server: address and seller token. Saving checks
 * the connection right away, so a wrong address or token shows here and not
 * later as empty badges on a portal page.
 */
function Options() {
  const [serverUrl, setServerUrl] = useState('');
  const [token, setToken] = useState('');
  const [urlError, setUrlError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [status, setStatus] = useState<ConnectionStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Counts finished save-and-check rounds, so a person or a test can tell a fresh result from the previous one.
  const [saveCount, setSaveCount] = useState(0);
  // "Test connection": what the typed address and token would give, before anything is saved.
  const [testing, setTesting] = useState(false);
  const [tested, setTested] = useState<ConnectionStatus | null>(null);
  const [testError, setTestError] = useState<string | null>(null);
  const [testCount, setTestCount] = useState(0);

  async function onTest(): Promise<void> {
    const url = normaliseServerUrl(serverUrl);
    if (!url.ok) {
      setUrlError(url.message);
      return;
    }
    setUrlError(null);
    const access = serverAccess(url.url); // asked during the click, like saving
    setTesting(true);
    setTested(null);
    setTestError(null);
    try {
      if (!(await access)) {
        setTestError('onhand needs your permission to reach this server. Test again and allow it.');
        return;
      }
      setTested(await askBackground({ type: 'connection.test', serverUrl: url.url, token: token.trim() }));
    } catch {
      setTestError('The onhand extension is not responding. Try reloading this page.');
    } finally {
      setTesting(false);
      setTestCount((n) => n + 1);
    }
  }

  async function checkConnection(): Promise<void> {
    setStatus(null);
    setError(null);
    try {
      setStatus(await askBackground({ type: 'connection.status' }));
    } catch {
      setError('The onhand extension is not responding. Try reloading this page.');
    }
  }

  useEffect(() => {
    void loadSettings().then((settings) => {
      setServerUrl(settings.serverUrl);
      setToken(settings.token ?? '');
    });
    void checkConnection();
  }, []);

  async function onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    const url = normaliseServerUrl(serverUrl);
    if (!url.ok) {
      setUrlError(url.message);
      return;
    }
    setUrlError(null);
    // Asked before any await: the browser grants host access only during the click.
    const access = serverAccess(url.url);
    setSaving(true);
    try {
      if (!(await access)) {
        setUrlError('onhand needs your permission to reach this server. Save again and allow it.');
        return;
      }
      await saveSettings({ serverUrl: url.url, token: token.trim() || null });
      setServerUrl(url.url);
      await checkConnection();
    } finally {
      setSaving(false);
      setSaveCount((count) => count + 1);
    }
  }

  return (
    <main>
      <h1>
        <span class="brand">onhand</span> connection
      </h1>
      <form onSubmit={(event) => void onSubmit(event)} data-saving={saving ? 'true' : undefined} data-save-count={saveCount}>
        <label>
          Server address
          <input
            name="serverUrl"
            type="url"
            required
            autocomplete="url"
            value={serverUrl}
            onInput={(event) => setServerUrl(event.currentTarget.value)}
            aria-invalid={urlError ? 'true' : undefined}
          />
          {urlError && <span class="field-error">{urlError}</span>}
        </label>
        <label>
          Seller token
          <input
            name="token"
            type="password"
            autocomplete="off"
            spellcheck={false}
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
          />
        </label>
        <div class="buttons">
          <button type="submit" disabled={saving}>
            {saving ? 'Saving…' : 'Save and check connection'}
          </button>
          <button type="button" class="secondary" data-action="test" disabled={testing} onClick={() => void onTest()}>
            {testing ? 'Testing…' : 'Test connection'}
          </button>
        </div>
        {(tested || testError) && (
          <div class="test-result" data-test-count={testCount}>
            <p class="test-label">Test (not saved yet):</p>
            <ConnectionStatusView status={tested} error={testError} />
          </div>
        )}
      </form>
      <ConnectionStatusView status={status} error={error} />
      <OverlayPortalsSection />
      <TenantSettingsSection ask={askBackground} connected={status?.authorized === true} />
    </main>
  );
}

/**
 * Access to the configured server's origin. The manifest grants the local
 * addresses; any other server is an optional host permission, asked for
 * when the seller saves it, so host access is exactly the portals plus the
 * server in use.
 */
function serverAccess(serverUrl: string): Promise<boolean> {
  const { hostname, origin } = new URL(serverUrl);
  if (hostname === '127.0.0.1' || hostname === 'localhost') return Promise.resolve(true);
  return browser.permissions.request({ origins: [`${origin}/*`] }).catch(() => false);
}

const app = document.getElementById('app');
if (app) render(<Options />, app);
