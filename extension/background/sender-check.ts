import { isPortalUrl } from '../portals/portal-urls';

/** The parts of `runtime.MessageSender` the check reads. */
export interface SenderInfo {
  id?: string;
  url?: string;
  origin?: string;
  tab?: { id?: number };
}

export type SenderKind = 'extension-page' | 'content-script';

/**
 * Who sent a message, or null when the background must ignore it. Only this
 * extension's own pages and its content scripts on portal pages qualify: a
 * web page cannot reach `onMessage` at all (no externally_connectable), and
 * a content script on any other page is not one of ours.
 */
export function senderKind(sender: SenderInfo, ownId: string): SenderKind | null {
  if (!sender.id || sender.id !== ownId) return null;
  const ownOrigin = `chrome-extension://${ownId}`;
  // The popup has no tab; the options page opened in a tab has one: both are ours.
  if (sender.url?.startsWith(`${ownOrigin}/`)) return 'extension-page';
  if (sender.tab && isPortalUrl(sender.url)) return 'content-script';
  return null;
}
