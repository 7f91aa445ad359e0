import { basename } from 'node:path';
import { SingleBar } from 'cli-progress';
import { limits, listingsUpsertInput, skuSchema } from '@onhand/shared';
import type { z } from 'zod';
import { asCliError, CliError, exitCodes, type ApiClient } from './client';
import { parseQuantity, readCsv, type ColumnSpec, type CsvFile } from './csv';
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
  /** Rows the server accepted: written now, or already written by an earlier run of the same file (then nothing is written again). */
  accepted: number;
  failed: BadRow[];
  seconds: number;
  /** False when bad rows stopped the import before anything was written. */
  applied: boolean;
}

/** One validated row: the calls that import it, each with its own idempotency key. */
interface PlannedRow {
  line: number;
  sku: string;
  write: (api: ApiClient) => Promise<unknown>;
}

const inventoryColumns: ColumnSpec[] = [
  { field: 'sku', names: ['sku', 'sellersku', 'itemsku', 'mastersku', 'productsku', 'msku', 'skucode'], required: true },
  { field: 'quantity', names: ['quantity', 'qty', 'onhand', 'available', 'quantityavailable', 'availablequantity', 'stock', 'count', 'qtyonhand'], required: true },
  { field: 'title', names: ['title', 'name', 'productname', 'itemname', 'producttitle', 'itemtitle'], required: false },
];

const listingColumns: ColumnSpec[] = [
  { field: 'sku', names: ['sku', 'mastersku', 'productsku', 'msku'], required: false },
  { field: 'channelSku', names: ['sellersku', 'channelsku', 'itemsku', 'listingsku', 'offersku'], required: false },
  { field: 'externalId', names: ['asin', 'itemid', 'listingid', 'externalid', 'productid', 'offerid'], required: false },
  { field: 'title', names: ['title', 'name', 'productname', 'itemname', 'listingtitle'], required: false },
  { field: 'fulfilledBy', names: ['fulfilledby', 'fulfillment', 'fulfillmentchannel', 'fulfilment'], required: false },
  { field: 'status', names: ['status', 'tracked'], required: false },
];

/** The key of one call for one line of one exact file: a re-run of the file repeats it, so nothing is written twice. */
const keyOf = (file: CsvFile, line: number, what: string) => `csv:${file.digest.slice(0, 32)}:${line}:${what}`;

const firstIssue = (error: z.ZodError) => {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'value'} ${issue.message}` : 'is invalid';
};

export async function importInventory(api: ApiClient, out: Output, path: string, options: { source: string; goodRowsOnly: boolean }): Promise<ImportReport> {
  const started = performance.now();
  const file = await readCsv(path, inventoryColumns);
  const sources = await api.sources.list.query();
  const wanted = options.source.toLowerCase();
  const source = sources.find((s) => s.sourceId === options.source) ?? sources.find((s) => s.name.toLowerCase() === wanted);
  if (!source) throw new CliError(`--source ${options.source}: no such source; this tenant has ${sources.map((s) => s.name).join(', ') || 'none'}`, exitCodes.usage);

  const bad: BadRow[] = [];
  const seen = new Map<string, number>();
  const candidates: { line: number; sku: string; onHand: number; title: string | undefined }[] = [];
  for (const row of file.rows) {
    const sku = skuSchema.safeParse(row.values.sku ?? '');
    if (!sku.success) {
      bad.push({ line: row.line, reason: `SKU ${firstIssue(sku.error)}` });
      continue;
    }
    const onHand = parseQuantity(row.values.quantity ?? '');
    if (onHand === undefined) {
      bad.push({ line: row.line, reason: `quantity "${row.values.quantity ?? ''}" is not a whole number >= 0` });
      continue;
    }
    if (onHand > limits.quantityMax) {
      bad.push({ line: row.line, reason: `quantity ${onHand} is more than ${limits.quantityMax}` });
      continue;
    }
    const earlier = seen.get(sku.data);
    if (earlier !== undefined) {
      bad.push({ line: row.line, reason: `SKU ${sku.data} is already on line ${earlier}` });
      continue;
    }
    seen.set(sku.data, row.line);
    const title = row.values.title?.trim() || undefined;
    candidates.push({ line: row.line, sku: sku.data, onHand, title });
  }

  // Checked against the server before anything is written: unknown SKUs (without a title to create them) and bundles.
  const known = await knownProducts(api, candidates.map((c) => c.sku));
  const planned: PlannedRow[] = [];
  for (const c of candidates) {
    const product = known.get(c.sku);
    if (product?.isBundle) {
      bad.push({ line: c.line, reason: `SKU ${c.sku} is a bundle: its stock is its components' stock` });
      continue;
    }
    if (!product && !c.title) {
      bad.push({ line: c.line, reason: `unknown SKU ${c.sku} (add a title column to create products)` });
      continue;
    }
    const note = `import ${basename(path)} line ${c.line}`;
    planned.push({
      line: c.line,
      sku: c.sku,
      write: async (client) => {
        if (!product) await client.products.upsert.mutate({ sku: c.sku, title: c.title!, idempotencyKey: keyOf(file, c.line, 'product') });
        return client.inventory.setQuantity.mutate({ sku: c.sku, sourceId: source.sourceId, onHand: c.onHand, note, idempotencyKey: keyOf(file, c.line, 'quantity') });
      },
    });
  }
  return finish(api, out, path, file, planned, bad, options.goodRowsOnly, started);
}

export async function importListings(api: ApiClient, out: Output, path: string, options: { channel: string; goodRowsOnly: boolean }): Promise<ImportReport> {
  const started = performance.now();
  const file = await readCsv(path, listingColumns);
  if (!file.columns.sku && !file.columns.channelSku) throw new CliError(`${path}: no SKU column (sku, seller sku, item sku, …)`, exitCodes.invalidInput);
  const channels = await api.channels.list.query();
  if (!channels.some((c) => c.channelId === options.channel)) {
    throw new CliError(`--channel ${options.channel}: no such channel; this tenant has ${channels.map((c) => `${c.channelId} (${c.name})`).join(', ') || 'none'}`, exitCodes.usage);
  }
  const bad: BadRow[] = [];
  const inputs: { line: number; input: z.infer<typeof listingsUpsertInput> }[] = [];
  const seen = new Map<string, number>();
  for (const row of file.rows) {
    const v = row.values;
    const fulfilledBy = fulfilment(v.fulfilledBy);
    const status = trackedStatus(v.status);
    if (fulfilledBy === null) {
      bad.push({ line: row.line, reason: `fulfilled by "${v.fulfilledBy}" is not merchant/marketplace (MFN/FBM, AFN/FBA)` });
      continue;
    }
    if (status === null) {
      bad.push({ line: row.line, reason: `status "${v.status}" is not tracked/untracked` });
      continue;
    }
    const candidate = {
      channelId: options.channel,
      sku: v.sku || v.channelSku || '',
      channelSku: v.channelSku || (file.columns.channelSku ? undefined : v.sku) || undefined,
      externalId: v.externalId || undefined,
      title: v.title || undefined,
      fulfilledBy,
      status,
      idempotencyKey: keyOf(file, row.line, 'listing'),
    };
    const parsed = listingsUpsertInput.safeParse(candidate);
    if (!parsed.success) {
      bad.push({ line: row.line, reason: firstIssue(parsed.error) });
      continue;
    }
    const identity = `${parsed.data.channelSku ?? ''}\u0000${parsed.data.externalId ?? ''}`;
    const earlier = seen.get(identity);
    if (earlier !== undefined) {
      bad.push({ line: row.line, reason: `the same listing is already on line ${earlier}` });
      continue;
    }
    seen.set(identity, row.line);
    inputs.push({ line: row.line, input: parsed.data });
  }
  const known = await knownProducts(api, inputs.map((i) => i.input.sku));
  const planned: PlannedRow[] = [];
  for (const { line, input } of inputs) {
    if (!known.has(input.sku)) {
      bad.push({ line, reason: `unknown SKU ${input.sku} (import the product's inventory first)` });
      continue;
    }
    planned.push({ line, sku: input.sku, write: (client) => client.listings.upsert.mutate(input) });
  }
  return finish(api, out, path, file, planned, bad, options.goodRowsOnly, started);
}

function fulfilment(value: string | undefined): 'merchant' | 'marketplace' | null {
  const v = (value ?? '').toLowerCase().replace(/[^a-z]/g, '');
  if (v === '' || ['merchant', 'mfn', 'fbm', 'seller', 'defaultfulfillment'].includes(v)) return 'merchant';
  if (['marketplace', 'afn', 'fba', 'amazon', 'wfs'].includes(v)) return 'marketplace';
  return null;
}

function trackedStatus(value: string | undefined): 'tracked' | 'untracked' | null {
  const v = (value ?? '').toLowerCase().trim();
  if (v === '' || ['tracked', 'yes', 'true', '1', 'active'].includes(v)) return 'tracked';
  if (['untracked', 'no', 'false', '0'].includes(v)) return 'untracked';
  return null;
}

/** Characters of SKUs per lookup request (Node's default header limit is 16 KiB). */
const urlBudget = 6000;

async function knownProducts(api: ApiClient, skus: readonly string[]): Promise<Map<string, { isBundle: boolean }>> {
  const unique = [...new Set(skus)];
  // Queries travel in the URL: chunks small enough for a server's header limit, one HTTP request each.
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let length = 0;
  for (const sku of unique) {
    const encoded = encodeURIComponent(JSON.stringify(sku)).length + 3;
    if (chunk.length > 0 && (chunk.length >= limits.batchMax || length + encoded > urlBudget)) {
      chunks.push(chunk);
      chunk = [];
      length = 0;
    }
    chunk.push(sku);
    length += encoded;
  }
  if (chunk.length > 0) chunks.push(chunk);
  const known = new Map<string, { isBundle: boolean }>();
  for (const result of await Promise.all(chunks.map((chunk) => api.inventory.bySkus.query({ skus: chunk })))) {
    for (const item of result.items) known.set(item.sku, { isBundle: item.isBundle });
  }
  return known;
}

/** Rows go out in batches of one HTTP request each, a few requests at a time. */
const batchRows = 100;
const requestsInFlight = 4;
/** A row the server refused as busy (TOO_MANY_REQUESTS) is tried again, this many times, backing off. */
const busyRetries = 6;

async function writeWithRetry(row: PlannedRow, api: ApiClient): Promise<unknown> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await row.write(api);
    } catch (error) {
      const busy = (error as { data?: { code?: string } } | undefined)?.data?.code === 'TOO_MANY_REQUESTS';
      if (!busy || attempt >= busyRetries) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}

async function finish(api: ApiClient, out: Output, path: string, file: CsvFile, planned: PlannedRow[], bad: BadRow[], goodRowsOnly: boolean, started: number): Promise<ImportReport> {
  bad.sort((a, b) => a.line - b.line);
  const report: ImportReport = { file: path, rows: file.rows.length, good: planned.length, bad, accepted: 0, failed: [], seconds: 0, applied: false };
  if (bad.length > 0 && !goodRowsOnly) {
    report.seconds = (performance.now() - started) / 1000;
    return report;
  }
  report.applied = true;
  const bar = out.progress ? new SingleBar({ format: 'importing [{bar}] {value}/{total} rows · {eta_formatted} left', stream: out.stderr, hideCursor: true }) : undefined;
  bar?.start(planned.length, 0);
  let next = 0;
  const worker = async () => {
    while (next < planned.length) {
      const batch = planned.slice(next, next + batchRows);
      next += batch.length;
      const results = await Promise.allSettled(batch.map((row) => writeWithRetry(row, api)));
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') report.accepted += 1;
        else {
          const error = asCliError(result.reason);
          if (error.exitCode === exitCodes.auth) throw error;
          report.failed.push({ line: batch[i]!.line, reason: error.message });
        }
      });
      bar?.increment(batch.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: requestsInFlight }, worker));
  } finally {
    bar?.stop();
  }
  report.failed.sort((a, b) => a.line - b.line);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
