import { defineContentScript } from 'wxt/utils/define-content-script';
import { startPortalOverlay } from '../content/start-portal-overlay';
import { ebayAdapter } from '../portals/ebay/ebay-adapter';
import { ebayMatchPatterns } from '../portals/ebay/ebay-urls';

/** eBay Seller Hub active listings, on every eBay country site: a badge with onhand's quantities on every listing row. */
export default defineContentScript({
  matches: ebayMatchPatterns,
  runAt: 'document_idle',
  main(ctx) {
    startPortalOverlay(ctx, ebayAdapter);
  },
});
