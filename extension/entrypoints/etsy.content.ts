import { defineContentScript } from 'wxt/utils/define-content-script';
import { startPortalOverlay } from '../content/start-portal-overlay';
import { etsyAdapter } from '../portals/etsy/etsy-adapter';
import { etsyMatchPatterns } from '../portals/etsy/etsy-urls';

/** Etsy listings manager: a badge with onhand's quantities on every listing row. */
export default defineContentScript({
  matches: etsyMatchPatterns,
  runAt: 'document_idle',
  main(ctx) {
    startPortalOverlay(ctx, etsyAdapter);
  },
});
