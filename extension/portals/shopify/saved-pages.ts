import { savedPageReader, type SavedPageInfo } from '../saved-page-files';

/** Saved Shopify admin pages, with the real URL each was saved from (both admin URL forms). */
export const shopifyPages = {
  products: { file: 'products.html', url: 'https://admin.shopify.com/store/onhand-demo/products?selectedView=all' },
  inventory: { file: 'inventory.html', url: 'https://onhand-demo.myshopify.com/admin/products/inventory?location_id=71234567' },
  productsLegacyLazy: { file: 'products-legacy-lazy.html', url: 'https://onhand-demo.myshopify.com/admin/products?selectedView=all&sort=title' },
  productsNarrow: { file: 'products-narrow.html', url: 'https://admin.shopify.com/store/onhand-demo/products' },
} satisfies Record<string, SavedPageInfo>;

export type ShopifyPageName = keyof typeof shopifyPages;
const read = savedPageReader(import.meta.url);
export const readShopifyPage = (name: ShopifyPageName): string => read(shopifyPages[name].file);
