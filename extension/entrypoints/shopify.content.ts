import { defineContentScript } from 'wxt/utils/define-content-script';
import { startPortalOverlay } from '../content/start-portal-overlay';
import { shopifyAdapter } from '../portals/shopify/shopify-adapter';
import { shopifyMatchPatterns } from '../portals/shopify/shopify-urls';

/** Shopify admin products and inventory, in both admin URL forms: a badge with onhand's quantities on every listing row. */
export default defineContentScript({
  matches: shopifyMatchPatterns,
  runAt: 'document_idle',
  main(ctx) {
    startPortalOverlay(ctx, shopifyAdapter);
  },
});
