import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { CliError, exitCodes } from './client';

/** A column the import needs and the header names sellers' spreadsheets use for it. */
export interface ColumnSpec {
  field: string;
  names: readonly string[];
  required: boolean;
}

export interface CsvRow {
  /** 1-based line of the file where the row ends (quoted fields may span lines). */
  line: number;
  values: Record<string, string>;
}

export interface CsvFile {
  /** SHA-256 of the file's bytes: with the line number, the idempotency key of each row. */
  digest: string;
  rows: CsvRow[];
  columns: Record<string, string>;
}

/** Header names compared without case, spaces, punctuation: "Seller SKU" = "seller-sku" = "sellersku". */
export const normaliseHeader = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * Reads a CSV as spreadsheets export it (BOM, quotes, CRLF, blank lines)
 * with csv-parse, and finds each wanted column by its loosely matched header.
 */
export async function readCsv(path: string, specs: readonly ColumnSpec[]): Promise<CsvFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, exitCodes.usage);
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(bytes, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new CliError(`${path}${line ? ` line ${line}` : ''}: not a readable CSV: ${(error as Error).message}`, exitCodes.invalidInput);
  }
  const [header, ...body] = records;
  if (!header) throw new CliError(`${path}: the file is empty`, exitCodes.invalidInput);
  const headers = header.record.map(normaliseHeader);
  const columns: Record<string, string> = {};
  const indexes: [string, number][] = [];
  for (const spec of specs) {
    const index = headers.findIndex((h) => spec.names.includes(h));
    if (index === -1) {
      if (spec.required) {
        throw new CliError(`${path}: no ${spec.field} column (a header named like: ${spec.names.join(', ')}); found: ${header.record.join(', ')}`, exitCodes.invalidInput);
      }
      continue;
    }
    columns[spec.field] = header.record[index]!;
    indexes.push([spec.field, index]);
  }
  const rows = body
    .filter((r) => r.record.some((v) => v !== ''))
    .map((r) => ({ line: r.info.lines, values: Object.fromEntries(indexes.map(([field, i]) => [field, r.record[i] ?? ''])) }));
  return { digest: createHash('sha256').update(bytes).digest('hex'), rows, columns };
}

/** Whole numbers as spreadsheets write them: "1200", "1,200", "1200.0". */
export function parseQuantity(text: string): number | undefined {
  const t = text.trim();
  if (/^\d{1,3}(,\d{3})+$/.test(t)) return Number(t.replaceAll(',', ''));
  if (/^\d+(\.0+)?$/.test(t)) return Number(t);
  return undefined;
}
