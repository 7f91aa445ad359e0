import type { ConnectionStatus } from '@onhand/shared';

/**
 * Whether the extension can reach the server and whose inventory it shows.
 * Shared by the popup and the options page. `status === null` while asking.
 */
export function ConnectionStatusView({ status, error }: { status: ConnectionStatus | null; error?: string | null }) {
  if (error) {
    return (
      <p class="status" data-connection="error" role="alert">
        {error}
      </p>
    );
  }
  if (!status) {
    return (
      <p class="status" data-connection="checking" aria-busy="true">
        Checking the connection…
      </p>
    );
  }
  const state = status.authorized ? 'connected' : status.reachable ? 'not-authorized' : 'unreachable';
  return (
    <div class="status" data-connection={state} data-problem={status.problem ?? undefined} role="status">
      <p class="status-line">
        <span class="dot" aria-hidden="true" />
        {status.authorized ? 'Connected' : status.reachable ? 'Server reachable, not signed in' : 'Server not reachable'}
      </p>
      {status.tenantName && (
        <p>
          Account: <strong data-part="tenant">{status.tenantName}</strong>
        </p>
      )}
      <p class="message">{status.message}</p>
      <p class="server">
        Server: <code>{status.serverUrl}</code>
      </p>
    </div>
  );
}
