import { uniqueKeys, type PortalAdapter, type PortalRow } from '../portal-row';
import { amazonPageKind } from './amazon-urls';
import { readClassicRows } from './read-classic-rows';
import { readManageInventoryRows } from './read-manage-inventory-rows';

/**
 * Amazon Seller Central. Both table generations are read on every listing
 * page: Amazon rolls the new table out per account and per page, so the URL
 * alone does not say which markup arrives.
 */
export const amazonAdapter: PortalAdapter = {
  name: 'amazon',
  isListingPage: (url) => amazonPageKind(url) !== null,
  readRows(root): PortalRow[] {
    return uniqueKeys([...readManageInventoryRows(root), ...readClassicRows(root)]);
  },
};
