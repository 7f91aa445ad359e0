import { defineContentScript } from 'wxt/utils/define-content-script';
import { startListingOverlay } from '../content/listing-overlay';
import { askBackground } from '../messaging/ask-background';
import { amazonAdapter } from '../portals/amazon/amazon-adapter';
import { sellerCentralMatchPatterns } from '../portals/amazon/amazon-urls';

/** Amazon Seller Central: a badge with onhand's quantities on every listing row. */
export default defineContentScript({
  matches: sellerCentralMatchPatterns,
  runAt: 'document_idle',
  main(ctx) {
    startListingOverlay(ctx, {
      adapter: amazonAdapter,
      fetchInventory: (skus) => askBackground({ type: 'inventory.bySkus', skus }),
    });
  },
});
