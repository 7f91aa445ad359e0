import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse';
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
  // Streamed record by record: only the wanted columns of each row are kept
  // (a record with its parse info is several times the size of its text).
  const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true, trim: true });
  parser.end(bytes);
  let header: string[] | undefined;
  const columns: Record<string, string> = {};
  const indexes: [string, number][] = [];
  const rows: CsvRow[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = record;
        const headers = header.map(normaliseHeader);
        for (const spec of specs) {
          const index = headers.findIndex((h) => spec.names.includes(h));
          if (index === -1) {
            if (spec.required) {
              throw new CliError(`${path}: no ${spec.field} column (a header named like: ${spec.names.join(', ')}); found: ${header.join(', ')}`, exitCodes.invalidInput);
            }
            continue;
          }
          columns[spec.field] = header[index]!;
          indexes.push([spec.field, index]);
        }
        continue;
      }
      if (!record.some((v) => v !== '')) continue;
      rows.push({ line: info.lines, values: Object.fromEntries(indexes.map(([field, i]) => [field, record[i] ?? ''])) });
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    const line = (error as { lines?: number }).lines;
    throw new CliError(`${path}${line ? ` line ${line}` : ''}: not a readable CSV: ${(error as Error).message}`, exitCodes.invalidInput);
  }
  if (!header) throw new CliError(`${path}: the file is empty`, exitCodes.invalidInput);
  return { digest: createHash('sha256').update(bytes).digest('hex'), rows, columns };
}

/** Whole numbers as spreadsheets write them: "1200", "1,200", "1200.0". */
export function parseQuantity(text: string): number | undefined {
  const t = text.trim();
  if (/^\d{1,3}(,\d{3})+$/.test(t)) return Number(t.replaceAll(',', ''));
  if (/^\d+(\.0+)?$/.test(t)) return Number(t);
  return undefined;
}
