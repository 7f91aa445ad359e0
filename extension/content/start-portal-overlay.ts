import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import type { PortalAdapter } from '../portals/portal-row';
import { startListingOverlay } from './listing-overlay';
import { connectLiveChanges } from './live-changes';
import { backgroundBackend } from './overlay-backend';

/** What every portal's content script does: the shared overlay, backed by the background worker, live. */
export function startPortalOverlay(ctx: ContentScriptContext, adapter: PortalAdapter): void {
  startListingOverlay(ctx, { adapter, backend: backgroundBackend, live: connectLiveChanges });
}
