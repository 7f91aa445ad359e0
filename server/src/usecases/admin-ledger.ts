import type { LedgerEntry } from '@onhand/shared';
import type { Db } from '../db/database';
import { ledgerExportPage } from '../db/repositories/admin-ops';

export const exportPageSize = 2000;

/**
 * A tenant's ledger entries with from <= at < to, oldest first, one
 * keyset-paged query at a time: memory holds at most two pages however long
 * the ledger is, and a consumer that stops reading stops the queries. The
 * next page is asked for as soon as a page arrives, so the database reads it
 * while the consumer writes this one out.
 */
export async function* ledgerEntries(db: Db, filter: { tenantId: string; from?: Date | undefined; to?: Date | undefined }): AsyncGenerator<LedgerEntry[]> {
  const pageAfter = (afterId: string | undefined) => {
    const page = ledgerExportPage(db, filter.tenantId, { afterId, from: filter.from, to: filter.to, limit: exportPageSize });
    // Awaited below; a consumer that stops early leaves it unawaited, and its failure then concerns no one.
    page.catch(() => undefined);
    return page;
  };
  let page = await pageAfter(undefined);
  for (;;) {
    const next = page.entries.length === exportPageSize ? pageAfter(page.lastId) : undefined;
    if (page.entries.length > 0) yield page.entries;
    if (!next) return;
    page = await next;
  }
}
