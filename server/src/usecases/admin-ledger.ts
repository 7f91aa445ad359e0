import type { LedgerEntry } from '@onhand/shared';
import type { Db } from '../db/database';
import { ledgerExportPage } from '../db/repositories/admin-ops';

export const exportPageSize = 2000;

/**
 * A tenant's ledger entries with from <= at < to, oldest first, one
 * keyset-paged query at a time: memory holds one page however long the
 * ledger is, and a consumer that stops reading stops the queries.
 */
export async function* ledgerEntries(db: Db, filter: { tenantId: string; from?: Date | undefined; to?: Date | undefined }): AsyncGenerator<LedgerEntry[]> {
  let afterId: string | undefined;
  for (;;) {
    const page = await ledgerExportPage(db, filter.tenantId, { afterId, from: filter.from, to: filter.to, limit: exportPageSize });
    if (page.entries.length > 0) yield page.entries;
    if (page.entries.length < exportPageSize) return;
    afterId = page.lastId;
  }
}
