import { createHash } from 'node:crypto';
import { SingleBar } from 'cli-progress';
import type { SetQuantitiesOutput } from '@onhand/shared';
import { asCliError, exitCodes, type ApiClient } from './client';
import type { Output } from './output';

export interface BadRow {
  line: number;
  reason: string;
}

export interface ImportReport {
  file: string;
  rows: number;
  good: number;
  bad: BadRow[];
  /** Rows the server accepted: written now, unchanged, or already written by an earlier run of the same file (then nothing is written again). */
  accepted: number;
  failed: BadRow[];
  seconds: number;
  /** False when bad rows stopped the import before anything was written. */
  applied: boolean;
  /** Inventory imports: ledger entries this run wrote (rows whose count changed the balance). */
  entriesWritten?: number;
  /** Inventory imports: products this run created (rows with a title and an unknown SKU). */
  productsCreated?: number;
  /** Inventory imports: rows an earlier run of the same file already imported; nothing is written for them. */
  alreadyImported?: number;
}

/** A row of an inventory CSV ready for inventory.setQuantities. */
export interface InventoryRow {
  line: number;
  sku: string;
  onHand: number;
  /** Creates the product when the SKU is new; the server ignores it for a known SKU. */
  title?: string | undefined;
  note: string;
}

/** A CSV row written by its own call (listings), batched by the HTTP link. */
export interface SingleRowWrite {
  line: number;
  write: (api: ApiClient) => Promise<unknown>;
}

/** A row the server refused as busy (TOO_MANY_REQUESTS) is tried again, this many times, backing off. */
const busyRetries = 6;

const isBusy = (error: unknown) => (error as { data?: { code?: string } } | undefined)?.data?.code === 'TOO_MANY_REQUESTS';

async function withBusyRetry<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!isBusy(error) || attempt >= busyRetries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}

/** Runs `work` over `items` with `inFlight` workers, in order of hand-out; the bar counts `weight` per item. */
async function pool<T>(items: readonly T[], inFlight: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, worker));
}

function progressBar(out: Output, total: number) {
  if (!out.progress) return undefined;
  const bar = new SingleBar({ format: 'importing [{bar}] {value}/{total} rows · {eta_formatted} left', stream: out.stderr, hideCursor: true });
  bar.start(total, 0);
  return bar;
}

/** At most this many rows per inventory.setQuantities call (the server's limit)… */
const rowsPerCall = 500;
/** …and at most this many bytes of rows, well inside the server's 1 MB body limit (titles may be long). */
const bytesPerCall = 512 * 1024;
/** Two calls at a time: each is one transaction of up to 500 rows; more would only queue on a small server. */
const callsInFlight = 2;

/**
 * Cuts the rows into calls of up to 500 rows, in file order. Each call's
 * idempotency key comes from the file's content, the source and the call's
 * first and last line: a re-run of the same file repeats the same calls, and
 * the server answers them without writing anything.
 */
export function inventoryCalls(rows: readonly InventoryRow[], keyPrefix: string): { key: string; rows: InventoryRow[] }[] {
  const calls: { key: string; rows: InventoryRow[] }[] = [];
  let current: InventoryRow[] = [];
  let bytes = 0;
  const close = () => {
    if (current.length === 0) return;
    calls.push({ key: `${keyPrefix}:${current[0]!.line}-${current.at(-1)!.line}`, rows: current });
    current = [];
    bytes = 0;
  };
  for (const row of rows) {
    const size = Buffer.byteLength(JSON.stringify(row)) + 16;
    if (current.length >= rowsPerCall || (current.length > 0 && bytes + size > bytesPerCall)) close();
    current.push(row);
    bytes += size;
  }
  close();
  return calls;
}

/** The index of the row a refusal names (`rows.<index>.<field>`), if it names one. */
function refusedRow(error: unknown): { index: number; reason: string } | undefined {
  const fields = (error as { data?: { fields?: { path: string; message: string }[] } } | undefined)?.data?.fields;
  const path = fields?.[0]?.path ?? '';
  const match = /^rows\.(\d+)(?:\.|$)/.exec(path);
  if (!match) return undefined;
  const message = (error as Error).message.replace(/^rows\.\d+\.?/, '').replace(/^: /, '');
  return { index: Number(match[1]), reason: message };
}

/**
 * Writes inventory rows through inventory.setQuantities, two calls at a
 * time. Rows were checked before, so a refusal is rare (the catalogue
 * changed meanwhile): the row it names is reported by its line and the rest
 * of that call is sent again without it, under a key of its own.
 */
export async function writeInventory(api: ApiClient, out: Output, sourceId: string, keyPrefix: string, rows: readonly InventoryRow[], report: ImportReport): Promise<void> {
  report.entriesWritten = 0;
  report.productsCreated = 0;
  report.alreadyImported = 0;
  const bar = progressBar(out, rows.length);
  const tally = (result: SetQuantitiesOutput, count: number) => {
    report.accepted += count;
    if (result.replayed) report.alreadyImported! += count;
    else {
      report.entriesWritten! += result.entriesWritten;
      report.productsCreated! += result.productsCreated;
    }
  };
  try {
    await pool(inventoryCalls(rows, keyPrefix), callsInFlight, async (call) => {
      let pending = call.rows;
      let key = call.key;
      while (pending.length > 0) {
        const send = pending;
        try {
          const result = await withBusyRetry(() =>
            api.inventory.setQuantities.mutate({
              sourceId,
              rows: send.map((r) => ({ sku: r.sku, onHand: r.onHand, note: r.note, ...(r.title !== undefined ? { title: r.title } : {}) })),
              idempotencyKey: key,
            }),
          );
          tally(result, send.length);
          break;
        } catch (error) {
          const failure = asCliError(error);
          if (failure.exitCode === exitCodes.auth) throw failure;
          const refused = refusedRow(error);
          const row = refused ? send[refused.index] : undefined;
          if (!refused || !row) {
            for (const r of send) report.failed.push({ line: r.line, reason: failure.message });
            break;
          }
          report.failed.push({ line: row.line, reason: refused.reason });
          pending = send.filter((_, i) => i !== refused.index);
          const without = call.rows.filter((r) => !pending.includes(r)).map((r) => r.line);
          key = `${call.key}:without:${createHash('sha256').update(without.join(',')).digest('hex').slice(0, 16)}`;
        }
      }
      bar?.increment(call.rows.length);
    });
  } finally {
    bar?.stop();
  }
}

/** Rows written one call each (listings.upsert): 100 calls per HTTP request, four requests at a time. */
export async function writeSingleRows(api: ApiClient, out: Output, rows: readonly SingleRowWrite[], report: ImportReport): Promise<void> {
  const bar = progressBar(out, rows.length);
  const batches: SingleRowWrite[][] = [];
  for (let i = 0; i < rows.length; i += 100) batches.push(rows.slice(i, i + 100));
  try {
    await pool(batches, 4, async (batch) => {
      const results = await Promise.allSettled(batch.map((row) => withBusyRetry(() => row.write(api))));
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') report.accepted += 1;
        else {
          const error = asCliError(result.reason);
          if (error.exitCode === exitCodes.auth) throw error;
          report.failed.push({ line: batch[i]!.line, reason: error.message });
        }
      });
      bar?.increment(batch.length);
    });
  } finally {
    bar?.stop();
  }
}
