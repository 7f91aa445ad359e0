/**
 * Name of the port a content script opens for live updates. Kept here, not in
 * @onhand/shared: content scripts import only types from there, so no schema
 * code lands in their bundles.
 */
export const changesPortName = 'onhand.changes';
