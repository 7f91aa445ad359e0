import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchWorld, fmt, type ServerProcess } from './support';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mb = (bytes: number) => `${fmt(bytes / 2 ** 20)} MB`;

export interface ProcessRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, process start included. */
  seconds: number;
  /** Peak resident set size of the process (GNU time's %M). */
  peakRssBytes: number;
}

/**
 * Runs a command as its own process under GNU time, for its peak RSS. The
 * `onhand` CLI runs as the bin runs it (server/src/main.ts through tsx), in
 * one process, so the peak is the CLI's own.
 */
export async function measuredProcess(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<ProcessRun> {
  const timeFile = join(mkdtempSync(join(tmpdir(), 'onhand-bench-time-')), 'rss');
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, command, ...args], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const exitCode = await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  const seconds = (performance.now() - started) / 1000;
  const peakKib = Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1));
  rmSync(dirname(timeFile), { recursive: true, force: true });
  return { exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), seconds, peakRssBytes: peakKib * 1024 };
}

export const runOnhand = (args: readonly string[], env: Record<string, string>) =>
  measuredProcess(process.execPath, ['--import', 'tsx', join(repoRoot, 'server/src/main.ts'), ...args], env);

/** A server process's resident memory now and at its peak, from its /metrics. */
export async function serverMemory(server: ServerProcess): Promise<{ rssBytes: number; peakRssBytes: number }> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.adminToken}` } })).text();
  const figure = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { rssBytes: figure('process_resident_memory_bytes'), peakRssBytes: figure('onhand_process_peak_resident_memory_bytes') };
}

/** The bench world (support.ts), with what the CLI needs: the server's address and the seller's token. */
export async function cliWorld() {
  const world = await benchWorld();
  return { ...world, sourceId: world.mf.sourceId };
}

/**
 * The planner's statistics kept current while a tenant grows from nothing
 * to 100,000 products, as autovacuum keeps them in production (an ANALYZE
 * every 10 s). This machine's PostgreSQL runs with autovacuum off: without
 * this, a 500-SKU lookup is planned as if the tenant had no products (a scan
 * of all of them, 0.3–1.5 s instead of 1 ms) and the figure measures that.
 */
async function keepStatisticsCurrent(databaseUrl: string): Promise<{ autovacuum: boolean; analyses: () => number; stop: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  await client.connect();
  const autovacuum = (await client.query<{ autovacuum: string }>('show autovacuum')).rows[0]?.autovacuum === 'on';
  let analyses = 0;
  let running = Promise.resolve();
  const timer = autovacuum
    ? undefined
    : setInterval(() => {
        running = running.then(async () => {
          await client.query('analyze products, balances, ledger_entries, idempotency_keys, events');
          analyses += 1;
        });
      }, 10_000);
  return {
    autovacuum,
    analyses: () => analyses,
    stop: async () => {
      clearInterval(timer);
      await running.catch(() => undefined);
      await client.end();
    },
  };
}

/** A seller's inventory CSV as spreadsheets export it: quoted titles with commas, "1,000"-style quantities. */
function writeInventoryCsv(path: string, rows: number, skuPrefix: string): void {
  const lines = ['Seller SKU,Title,Quantity'];
  for (let i = 1; i <= rows; i += 1) {
    const quantity = (i * 7919) % 5000;
    lines.push(`${skuPrefix}-${String(i).padStart(7, '0')},"Product ${i}, size M","${quantity >= 1000 ? fmt(quantity) : quantity}"`);
  }
  writeFileSync(path, `${lines.join('\r\n')}\r\n`);
}

interface ImportFigures {
  rows: number;
  rowsPerSecond: number;
  cliSeconds: number;
  run: ProcessRun;
  report: { accepted: number; entriesWritten: number; productsCreated: number; alreadyImported: number; failed: unknown[] };
}

async function importFile(world: Awaited<ReturnType<typeof cliWorld>>, path: string): Promise<ImportFigures> {
  const run = await runOnhand(['--json', 'import', path, '--source', 'MF'], { ONHAND_SERVER: world.server.url, ONHAND_TOKEN: world.sellerToken });
  if (run.exitCode !== 0) throw new Error(`import exited ${run.exitCode}: ${run.stderr}${run.stdout.slice(0, 2000)}`);
  const report = JSON.parse(run.stdout) as ImportFigures['report'] & { rows: number; seconds: number };
  return { rows: report.rows, rowsPerSecond: report.accepted / report.seconds, cliSeconds: report.seconds, run, report };
}

/** The plain-database floor: psql's \copy of the same file into a three-column table. */
function psqlCopyRowsPerSecond(databaseUrl: string, path: string, rows: number): number {
  const table = `import_baseline_${rows}`;
  spawnSync('psql', [databaseUrl, '-q', '-c', `create table ${table} (sku text, title text, quantity text)`], { encoding: 'utf8' });
  const started = performance.now();
  const copy = spawnSync('psql', [databaseUrl, '-q', '-c', `\\copy ${table} from '${path}' with (format csv, header true)`], { encoding: 'utf8' });
  const seconds = (performance.now() - started) / 1000;
  if (copy.status !== 0) throw new Error(`psql \\copy failed: ${copy.stderr}`);
  spawnSync('psql', [databaseUrl, '-q', '-c', `drop table ${table}`], { encoding: 'utf8' });
  return rows / seconds;
}

/**
 * What the CLI import did before inventory.setQuantities, for the ratio: one
 * inventory.setQuantity call per row, 100 calls per HTTP request, 4 requests
 * in flight, on SKUs that exist already.
 */
async function perRowRowsPerSecond(world: Awaited<ReturnType<typeof cliWorld>>, skus: readonly string[]): Promise<number> {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < skus.length) {
      const batch = skus.slice(next, next + 100);
      next += batch.length;
      await Promise.all(batch.map((sku, i) => world.seller.inventory.setQuantity.mutate({ sku, sourceId: world.sourceId, onHand: 10_000 + i, idempotencyKey: `per-row-${sku}` })));
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return skus.length / ((performance.now() - started) / 1000);
}

const describeImport = (label: string, f: ImportFigures, idleServerRss: number, serverPeak: number) =>
  `  ${label}: ${fmt(f.rowsPerSecond)} rows/s (${fmt(f.cliSeconds, 1)} s in the CLI, ${fmt(f.run.seconds, 1)} s with process start); ` +
  `${fmt(f.report.entriesWritten)} entries, ${fmt(f.report.productsCreated)} products created; CLI peak RSS ${mb(f.run.peakRssBytes)}; server peak RSS over import and re-run ${mb(serverPeak)} (${mb(idleServerRss)} before)`;

/**
 * Issue 8: `onhand import` of a 10,000- and a 100,000-row inventory CSV (new
 * products, so every row creates a product and writes an entry) through the
 * real CLI process into a real server process on PostgreSQL: rows per
 * second, the CLI's and the server's peak RSS, and a re-run of the same file
 * (nothing written). Baselines from the same run: the per-row API path the
 * CLI used before, and psql's \copy of the same file (the database's floor).
 * BENCH_IMPORT_ROWS=10000,100000 sets the sizes.
 */
export async function benchImport(): Promise<string[]> {
  const sizes = (process.env.BENCH_IMPORT_ROWS ?? '10000,100000').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'onhand-bench-import-'));
  const lines = ['import: `onhand import <csv> --source MF` as its own process → server process → PostgreSQL (500 rows per inventory.setQuantities call, 2 calls in flight)'];
  try {
    // The CLI process with nothing to do (Node, tsx, the client and schemas loaded): what an import's RSS adds to.
    lines.push(`  CLI process alone (onhand --help): peak RSS ${mb((await runOnhand(['--help'], {})).peakRssBytes)}`);
    let perRow: number | undefined;
    for (const rows of sizes) {
      const world = await cliWorld();
      try {
        const path = join(dir, `inventory-${rows}.csv`);
        writeInventoryCsv(path, rows, `IMP${rows}`);
        const idle = await serverMemory(world.server);
        const statistics = await keepStatisticsCurrent(world.databaseUrl);
        let first: ImportFigures;
        let rerun: ImportFigures;
        try {
          first = await importFile(world, path);
          rerun = await importFile(world, path);
        } finally {
          await statistics.stop();
        }
        const peak = (await serverMemory(world.server)).peakRssBytes;
        if (!statistics.autovacuum) lines.push(`  (${fmt(rows)} rows: autovacuum is off on this PostgreSQL; the bench ran ANALYZE every 10 s as autovacuum would, ${statistics.analyses()} times)`);
        const copy = psqlCopyRowsPerSecond(world.databaseUrl, path, rows);
        perRow ??= await perRowRowsPerSecond(world, Array.from({ length: Math.min(2000, rows) }, (_, i) => `IMP${rows}-${String(i + 1).padStart(7, '0')}`));
        const reconciled = await world.admin.admin.reconcile.mutate({ tenantId: world.tenantId });
        lines.push(
          describeImport(`${fmt(rows)} rows`, first, idle.rssBytes, peak),
          `    re-run of the same file: ${fmt(rerun.rowsPerSecond)} rows/s, ${fmt(rerun.report.alreadyImported)} rows already imported, ${fmt(rerun.report.entriesWritten)} entries written; CLI peak RSS ${mb(rerun.run.peakRssBytes)}`,
          `    baselines (same run): per-row inventory.setQuantity (the CLI's path before; 2,000 rows) ${fmt(perRow)} rows/s → bulk ${fmt(first.rowsPerSecond / perRow, 1)}×; ` +
            `psql \\copy of the same file into a plain table ${fmt(copy)} rows/s → bulk ${fmt(first.rowsPerSecond / copy, 3)}×`,
          `    reconcile afterwards: ${fmt(reconciled.checked)} balances checked, ${reconciled.mismatches.length} mismatches`,
        );
      } finally {
        await world.close();
      }
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
