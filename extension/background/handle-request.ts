import { backgroundRequestSchema, type BySkusReply, type ConnectionStatus } from '@onhand/shared';
import type { ConnectionSettings } from '../settings/connection-settings';
import { describeFailure, type ServerApi } from './server-api';

export interface BackgroundDeps {
  loadSettings(): Promise<ConnectionSettings>;
  createApi(settings: ConnectionSettings): ServerApi;
}

const notConfiguredMessage = 'Connect onhand: add the server address and your token in the extension options.';

/**
 * Answers one message from a content script or extension page. Never throws:
 * every failure becomes a reply that says what went wrong. The caller has
 * already checked that the message comes from this extension.
 */
export async function handleBackgroundRequest(raw: unknown, deps: BackgroundDeps): Promise<BySkusReply | ConnectionStatus> {
  const parsed = backgroundRequestSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, problem: 'error', message: 'The extension sent a request the background does not accept.' };
  const request = parsed.data;
  switch (request.type) {
    case 'inventory.bySkus':
      return inventoryBySkus(request.skus, deps);
    case 'connection.status':
      return connectionStatus(deps);
  }
}

async function inventoryBySkus(skus: string[], deps: BackgroundDeps): Promise<BySkusReply> {
  try {
    const settings = await deps.loadSettings();
    if (!settings.token) return { ok: false, problem: 'not-configured', message: notConfiguredMessage };
    const data = await deps.createApi(settings).bySkus([...new Set(skus)]);
    return { ok: true, data };
  } catch (error) {
    return { ok: false, ...describeFailure(error) };
  }
}

async function connectionStatus(deps: BackgroundDeps): Promise<ConnectionStatus> {
  const settings = await deps.loadSettings();
  const base = { serverUrl: settings.serverUrl, reachable: false, authorized: false, tenantName: null };
  const api = deps.createApi(settings);
  // Both calls go out in one batched request when there is a token.
  const [health, account] = await Promise.allSettled([
    api.health(),
    settings.token ? api.account() : Promise.resolve(null),
  ]);
  if (health.status === 'rejected') {
    const failure = describeFailure(health.reason);
    return { ...base, problem: failure.problem, message: failure.message };
  }
  if (!settings.token) {
    return { ...base, reachable: true, problem: 'not-configured', message: 'The server answers. Add your token in the onhand options.' };
  }
  if (account.status === 'rejected') {
    const failure = describeFailure(account.reason);
    return { ...base, reachable: true, problem: failure.problem, message: failure.message };
  }
  const tenantName = account.value?.tenantName ?? null;
  return {
    ...base,
    reachable: true,
    authorized: true,
    tenantName,
    problem: null,
    message: tenantName ? `Connected to ${tenantName}.` : 'Connected.',
  };
}
