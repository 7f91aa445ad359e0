import { defineContentScript } from 'wxt/utils/define-content-script';
import { startPortalOverlay } from '../content/start-portal-overlay';
import { walmartAdapter } from '../portals/walmart/walmart-adapter';
import { walmartMatchPatterns } from '../portals/walmart/walmart-urls';

/** Walmart Seller Center items: a badge with onhand's quantities on every listing row. */
export default defineContentScript({
  matches: walmartMatchPatterns,
  runAt: 'document_idle',
  main(ctx) {
    startPortalOverlay(ctx, walmartAdapter);
  },
});
