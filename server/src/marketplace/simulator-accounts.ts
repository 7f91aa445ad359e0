import { randomBytes } from 'node:crypto';
import type { Marketplace } from '@onhand/shared';
import type { ConnectorLookup } from '../outbox/drainer';
import type { MarketplaceConnector } from './connector';
import { createSimulatorConnector } from './simulator-connector';

/**
 * Connectors for the demo: every channel (a seller's account on one
 * marketplace) gets its own account on the local marketplace simulator,
 * created on its first push, the way each seller has their own credentials.
 */
export function simulatorConnectors(baseUrl: string): ConnectorLookup {
  const accounts = new Map<string, Promise<string>>();
  const connectors = new Map<string, MarketplaceConnector>();
  const tokenFor = (account: string): Promise<string> => {
    let token = accounts.get(account);
    if (!token) {
      token = (async () => {
        const wanted = randomBytes(24).toString('base64url');
        const response = await fetch(`${baseUrl}/admin/accounts`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ account, token: wanted }),
        });
        if (!response.ok) throw new Error(`the simulator refused an account for ${account}: ${response.status}`);
        return ((await response.json()) as { token: string }).token;
      })();
      token.catch(() => accounts.delete(account));
      accounts.set(account, token);
    }
    return token;
  };
  return (channel) => {
    const key = `${channel.tenantId}/${channel.channelId}`;
    let connector = connectors.get(key);
    if (!connector) {
      const marketplace = channel.marketplace as Marketplace;
      connector = {
        marketplace,
        push: async (request, signal) => {
          const token = await tokenFor(key).catch(() => undefined);
          if (!token) return { ok: false, kind: 'transient', message: 'the marketplace simulator is not reachable' };
          return createSimulatorConnector({ marketplace, baseUrl, token }).push(request, signal);
        },
      };
      connectors.set(key, connector);
    }
    return connector;
  };
}
