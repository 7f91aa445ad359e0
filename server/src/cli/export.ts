import { createWriteStream } from 'node:fs';
import { Readable, Transform, type Writable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { ledgerExportPath, type LedgerEntry } from '@onhand/shared';
import { CliError, exitCodes, type Connection } from './client';

const csvColumns = ['id', 'at', 'sourceId', 'sku', 'bucket', 'delta', 'balanceAfter', 'reason', 'actor', 'orderId', 'orderLineId', 'note'] as const;

/** Splits a byte stream into lines (a JSON object each). */
function lines(): Transform {
  let rest = '';
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding, done) {
      const parts = (rest + chunk.toString('utf8')).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) if (part) this.push(part);
      done();
    },
    flush(done) {
      if (rest) this.push(rest);
      done();
    },
  });
}

/**
 * Streams GET /admin/ledger.jsonl to `destination`: JSON lines as they come,
 * or CSV through csv-stringify. Nothing is held beyond the streams' buffers.
 */
export async function exportLedger(
  connection: Connection,
  query: { tenantId: string; from?: string | undefined; to?: string | undefined },
  format: 'jsonl' | 'csv',
  destination: { path?: string | undefined; stdout: Writable },
): Promise<{ entries: number; seconds: number }> {
  const started = performance.now();
  const url = new URL(`${connection.server.replace(/\/+$/, '')}${ledgerExportPath}`);
  url.searchParams.set('tenantId', query.tenantId);
  if (query.from) url.searchParams.set('from', query.from);
  if (query.to) url.searchParams.set('to', query.to);
  let response: Response;
  try {
    response = await fetch(url, { headers: connection.token ? { authorization: `Bearer ${connection.token}` } : {} });
  } catch (error) {
    throw new CliError(`cannot reach the server at ${connection.server}: ${(error as Error).message}`, exitCodes.failure);
  }
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    const code = response.status === 401 || response.status === 403 ? exitCodes.auth : response.status === 400 ? exitCodes.usage : exitCodes.failure;
    throw new CliError(`export failed (${response.status}): ${body.error?.message ?? response.statusText}`, code);
  }
  let entries = 0;
  const count = new Transform({
    objectMode: true,
    transform(line: string, _encoding, done) {
      entries += 1;
      if (format === 'jsonl') done(null, `${line}\n`);
      else done(null, JSON.parse(line) as LedgerEntry);
    },
  });
  const sink = destination.path ? createWriteStream(destination.path) : destination.stdout;
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream | Transform)[] = [Readable.fromWeb(response.body as WebReadableStream), lines(), count];
  if (format === 'csv') stages.push(stringify({ header: true, columns: [...csvColumns] }));
  try {
    // stdout is not ended by the pipeline's end (it belongs to the process).
    await pipeline([...stages, sink] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], { end: Boolean(destination.path) });
  } catch (error) {
    throw new CliError(`export interrupted after ${entries} entries: ${(error as Error).message}`, exitCodes.failure);
  }
  return { entries, seconds: (performance.now() - started) / 1000 };
}
