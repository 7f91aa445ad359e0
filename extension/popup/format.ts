import type { LedgerEntry } from '@onhand/shared';

const reasonWords: Record<string, string> = {
  count: 'stock count (set quantity)',
  received: 'received',
  damaged: 'damaged',
  lost: 'lost',
  found: 'found',
  returned: 'returned',
  correction: 'correction',
};

/** "set quantity", "order allocated", … from a ledger reason code. */
export function reasonLabel(reason: string): string {
  return reasonWords[reason] ?? reason.replaceAll('_', ' ');
}

export const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

export function shortTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** One ledger entry in words: what happened, by how much, why, who, when. */
export function describeEntry(entry: LedgerEntry, sourceName: string): string {
  const bucket = entry.bucket === 'on_hand' ? 'on hand' : 'committed';
  const parts = [
    `${shortTime(entry.at)}: ${reasonLabel(entry.reason)}`,
    `${signed(entry.delta)} ${bucket} at ${sourceName} → ${entry.balanceAfter}`,
    `by ${entry.actor}`,
  ];
  if (entry.orderId) parts.push(`order ${entry.orderId}`);
  if (entry.note) parts.push(`“${entry.note}”`);
  return parts.join(' · ');
}
