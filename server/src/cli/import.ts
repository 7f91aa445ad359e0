import { basename } from 'node:path';
import { limits, listingsUpsertInput, setQuantitiesRowSchema, skuSchema } from '@onhand/shared';
import type { z } from 'zod';
import { CliError, exitCodes, type ApiClient } from './client';
import { parseQuantity, readCsv, type ColumnSpec, type CsvFile } from './csv';
import { writeInventory, writeSingleRows, type BadRow, type ImportReport, type InventoryRow, type SingleRowWrite } from './import-write';
import type { Output } from './output';

export type { BadRow, ImportReport } from './import-write';

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
  const candidates: { line: number; sku: string; onHand: number; title: string | undefined; titleProblem: string | undefined }[] = [];
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
    const titleCheck = title === undefined ? undefined : setQuantitiesRowSchema.shape.title.safeParse(title);
    candidates.push({ line: row.line, sku: sku.data, onHand, title, titleProblem: titleCheck?.success === false ? `title ${firstIssue(titleCheck.error)}` : undefined });
  }

  // Checked against the server before anything is written: unknown SKUs (without a title to create them) and bundles.
  const known = await knownProducts(api, candidates.map((c) => c.sku));
  const planned: InventoryRow[] = [];
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
    if (!product && c.titleProblem) {
      bad.push({ line: c.line, reason: `${c.titleProblem} (it would create product ${c.sku})` });
      continue;
    }
    // The call's payload depends on the file alone (a re-run must repeat it exactly): every valid title
    // goes along, and the server uses it only to create a product that is not there.
    const title = c.titleProblem ? undefined : c.title;
    planned.push({ line: c.line, sku: c.sku, onHand: c.onHand, title, note: `import ${basename(path)} line ${c.line}` });
  }
  const report = startReport(path, file, planned.length, bad, options.goodRowsOnly);
  if (report.applied) await writeInventory(api, out, source.sourceId, `csv:${file.digest.slice(0, 32)}:${source.sourceId}`, planned, report);
  return endReport(report, started);
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
  const planned: SingleRowWrite[] = [];
  for (const { line, input } of inputs) {
    if (!known.has(input.sku)) {
      bad.push({ line, reason: `unknown SKU ${input.sku} (import the product's inventory first)` });
      continue;
    }
    planned.push({ line, write: (client) => client.listings.upsert.mutate(input) });
  }
  const report = startReport(path, file, planned.length, bad, options.goodRowsOnly);
  if (report.applied) await writeSingleRows(api, out, planned, report);
  return endReport(report, started);
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

/** Lookups in flight while checking SKUs: each names up to 500 SKUs (sent as POST, so no URL limit). */
const lookupsInFlight = 4;

async function knownProducts(api: ApiClient, skus: readonly string[]): Promise<Map<string, { isBundle: boolean }>> {
  const unique = [...new Set(skus)];
  const chunks: string[][] = [];
  for (let i = 0; i < unique.length; i += limits.batchMax) chunks.push(unique.slice(i, i + limits.batchMax));
  const known = new Map<string, { isBundle: boolean }>();
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const result = await api.inventory.bySkus.query({ skus: chunks[next++]! });
      for (const item of result.items) known.set(item.sku, { isBundle: item.isBundle });
    }
  };
  await Promise.all(Array.from({ length: lookupsInFlight }, worker));
  return known;
}

/** Bad rows stop the import before anything is written, unless only the good rows are wanted. */
function startReport(path: string, file: CsvFile, good: number, bad: BadRow[], goodRowsOnly: boolean): ImportReport {
  bad.sort((a, b) => a.line - b.line);
  return { file: path, rows: file.rows.length, good, bad, accepted: 0, failed: [], seconds: 0, applied: bad.length === 0 || goodRowsOnly };
}

function endReport(report: ImportReport, started: number): ImportReport {
  report.failed.sort((a, b) => a.line - b.line);
  report.seconds = (performance.now() - started) / 1000;
  return report;
}
