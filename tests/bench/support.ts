import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTRPCClient, httpBatchLink, httpLink, type TRPCClient } from '@trpc/client';
import type { AppRouter } from '@onhand/server';
import { wireCaller } from './wire-caller';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const benchDatabaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// The load generator shares this 2-core machine with the server and
// PostgreSQL, so its own cost per call is kept low, as pgbench's is: Node's
// built-in fetch costs ~1.5 ms of client CPU per request here; a keep-alive
// http.request answered with a minimal Response (tRPC's client reads only
// `ok`, `status` and `json()`) costs a small part of that.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
export const lightFetch = (async (input: string | URL | Request, init?: RequestInit) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const body = typeof init?.body === 'string' ? init.body : undefined;
  const given = init?.headers;
  const headers: Record<string, string> =
    given === undefined ? {} : given instanceof Headers || Array.isArray(given) ? Object.fromEntries(new Headers(given).entries()) : { ...(given as Record<string, string>) };
  // As every fetch does for a string body (browsers', Node's): the length, not chunks.
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise<Response>((resolve, reject) => {
    const req = http.request(url, { method: init?.method ?? 'GET', headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 500;
        const answer = {
          ok: status >= 200 && status < 300,
          status,
          get headers() {
            return new Headers(Object.entries(res.headers).flatMap(([k, v]) => (v === undefined ? [] : Array.isArray(v) ? v.map((one) => [k, one] as [string, string]) : [[k, v] as [string, string]])));
          },
          text: async () => text,
          json: async () => JSON.parse(text) as unknown,
        };
        resolve(answer as unknown as Response);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}) as typeof fetch;

export function apiClient(url: string, token: string, options: { batch: boolean } = { batch: true }): TRPCClient<AppRouter> {
  const link = { url: `${url}/trpc`, fetch: lightFetch, headers: { Authorization: `Bearer ${token}` }, methodOverride: 'POST' as const };
  return createTRPCClient<AppRouter>({ links: [options.batch ? httpBatchLink({ ...link, maxItems: 32 }) : httpLink(link)] });
}

export interface ServerProcess {
  url: string;
  adminToken: string;
  stop(): Promise<void>;
}

/** The real server in its own process (as deployed), on the given database. */
export async function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  const adminToken = `onh_a_${randomBytes(32).toString('base64url')}`;
  const port = 20000 + Math.floor(Math.random() * 20000);
  const profile = process.env.BENCH_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', join(repoRoot, 'server/src/main.ts'), 'serve'], {
    // No marketplace: pushes wait in the outbox, so the figures are the API's own.
    // Rate limits are a deployment's choice, set here far above what the
    // benches send: they measure what the server can do, not its limits.
    env: {
      ...process.env,
      PORT: String(port),
      ONHAND_ADMIN_TOKEN: adminToken,
      ONHAND_SEED_DEMO: 'false',
      ONHAND_MARKETPLACE_URL: 'none',
      LOG_LEVEL: 'warn',
      ONHAND_TOKEN_CALLS_PER_SECOND: '100000',
      ONHAND_TOKEN_BURST: '100000',
      ONHAND_TENANT_CALLS_PER_SECOND: '100000',
      ONHAND_TENANT_BURST: '100000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${url}/trpc/health.check`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('server did not start within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    adminToken,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

const warmUpMs = Number(process.env.BENCH_WARM_UP_MS ?? 2000);

/** Runs `clients` loops of `call` for `durationMs` after a warm-up; returns completed calls per second. */
export async function throughput(clients: number, durationMs: number, call: (client: number, i: number) => Promise<unknown>): Promise<number> {
  // Warm-up, not counted: the server's JIT and its connections to the
  // database (opened and prepared on first use) settle in the first seconds.
  let i = 0;
  const warmUntil = performance.now() + warmUpMs;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < warmUntil) await call(client, i++);
    }),
  );
  const until = performance.now() + durationMs;
  let done = 0;
  const started = performance.now();
  const timeline: number[] = [];
  const tick = process.env.BENCH_TIMELINE ? setInterval(() => timeline.push(done - timeline.reduce((a, b) => a + b, 0)), 1000) : undefined;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < until) {
        await call(client, i++);
        done += 1;
      }
    }),
  );
  if (tick) {
    clearInterval(tick);
    console.error(`  per second: ${timeline.join(' ')}`);
  }
  return done / ((performance.now() - started) / 1000);
}

const pgbenchPath = process.env.PGBENCH ?? '/usr/lib/postgresql/15/bin/pgbench';

/** pgbench's TPC-B-like TPS with 16 clients, on the same server, for the ratio. */
export function pgbenchTps(databaseUrl: string, clients: number, seconds: number): number {
  const init = spawnSync(pgbenchPath, ['-i', '-q', '-s', String(clients), databaseUrl], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
  const run = spawnSync(pgbenchPath, ['-c', String(clients), '-j', '2', '-T', String(seconds), databaseUrl], { encoding: 'utf8' });
  const match = /tps = ([\d.]+)/.exec(run.stdout);
  if (!match) throw new Error(`pgbench printed no tps: ${run.stdout}${run.stderr}`);
  return Number(match[1]);
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  return sortedMs[Math.min(sortedMs.length - 1, Math.floor((p / 100) * sortedMs.length))]!;
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * A fresh PostgreSQL database with the server running on it, an admin, and a
 * seller tenant with its default MF source: what every throughput bench starts
 * from. `close` stops the server and drops the database.
 */
export async function benchWorld() {
  const { createPostgresDatabase } = await import('@onhand/server/testing');
  const database = await createPostgresDatabase(benchDatabaseUrl);
  const server = await spawnServer({ DATABASE_URL: database.databaseUrl });
  try {
    const admin = apiClient(server.url, server.adminToken);
    const { tenantId } = await admin.admin.tenants.create.mutate({ name: 'Bench seller' });
    const { token } = await admin.admin.tokens.issue.mutate({ tenantId, role: 'seller', label: 'bench' });
    const seller = apiClient(server.url, token);
    const mf = await seller.sources.create.mutate({ name: 'MF', kind: 'merchant', isDefault: true, idempotencyKey: 'mf' });
    const opened: BenchCaller[] = [];
    return {
      databaseUrl: database.databaseUrl,
      server,
      admin,
      seller,
      /** The seller's token, for clients other than `seller` (the CLI). */
      sellerToken: token,
      tenantId,
      mf,
      /**
       * `count` independent callers of the seller (each its own HTTP
       * requests, no batching across them): what "N concurrent clients"
       * means (see benchCaller).
       */
      sellerCallers: async (count: number): Promise<BenchCaller['call'][]> => {
        const callers = await Promise.all(Array.from({ length: count }, () => benchCaller(server.url, token)));
        opened.push(...callers);
        return callers.map((caller) => caller.call);
      },
      close: async () => {
        for (const caller of opened) caller.close();
        await server.stop();
        await database.drop();
      },
    };
  } catch (error) {
    await server.stop();
    await database.drop();
    throw error;
  }
}

export interface BenchCaller {
  call(kind: 'query' | 'mutation', path: string, input: unknown): Promise<unknown>;
  close(): void;
}

/**
 * One load-generating client of `token`: a keep-alive connection sending
 * plain tRPC requests (see wire-caller.ts for why), or, with
 * `BENCH_CLIENT=trpc`, tRPC's own client, to compare.
 */
export async function benchCaller(url: string, token: string): Promise<BenchCaller> {
  if (process.env.BENCH_CLIENT === 'trpc') {
    const client = apiClient(url, token, { batch: false });
    return { call: (kind, path, input) => callByPath(client, kind, path, input), close: () => {} };
  }
  const caller = await wireCaller(url, token);
  return { call: (_kind, path, input) => caller.call(path, input), close: () => caller.close() };
}

/** Calls a procedure of tRPC's client by its dotted path. */
function callByPath(client: TRPCClient<AppRouter>, kind: 'query' | 'mutation', path: string, input: unknown): Promise<unknown> {
  // tRPC's client is a proxy keyed by path; its types cannot follow a path held in a string.
  let node = client as unknown as Record<string, unknown>;
  for (const part of path.split('.')) node = node[part] as Record<string, unknown>;
  const procedure = node as unknown as { query(input: unknown): Promise<unknown>; mutate(input: unknown): Promise<unknown> };
  return kind === 'query' ? procedure.query(input) : procedure.mutate(input);
}
