import { defineContentScript } from 'wxt/utils/define-content-script';
import { startPortalOverlay } from '../content/start-portal-overlay';
import { amazonAdapter } from '../portals/amazon/amazon-adapter';
import { sellerCentralMatchPatterns } from '../portals/amazon/amazon-urls';

/** Amazon Seller Central: a badge with onhand's quantities on every listing row. */
export default defineContentScript({
  matches: sellerCentralMatchPatterns,
  runAt: 'document_idle',
  main(ctx) {
    startPortalOverlay(ctx, amazonAdapter);
  },
});
