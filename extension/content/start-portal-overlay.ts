import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import type { PortalAdapter } from '../portals/portal-row';
import { startListingOverlay } from './listing-overlay';
import { connectLiveChanges } from './live-changes';
import { backgroundBackend } from './overlay-backend';
import { askBackground } from '../messaging/ask-background';

/**
 * What every portal's content script does: the shared overlay, backed by the
 * background worker, live — unless the seller turned this portal off in the
 * options, in which case the page is left exactly as it is.
 */
export function startPortalOverlay(ctx: ContentScriptContext, adapter: PortalAdapter): void {
  void askBackground({ type: 'overlay.enabled', marketplace: adapter.marketplace })
    .catch(() => ({ enabled: true }))
    .then(({ enabled }) => {
      if (enabled && ctx.isValid) startListingOverlay(ctx, { adapter, backend: backgroundBackend, live: connectLiveChanges });
    });
}
