import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface ServerDatabase {
  /** PostgreSQL; without it the server uses the embedded database in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
}

export interface ServerOptions {
  /** pino level; `info` shows the shutdown line a test may wait for. */
  logLevel?: 'info' | 'warn';
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** How long a start may take before the harness gives up (a hang guard, not an assertion). */
const startLimitMs = 180_000;
const outputLinesKept = 300;

/**
 * The real server as deployed (`onhand serve`, what `pnpm start` runs:
 * server/src/main.ts through tsx) in a child process that a test can SIGKILL,
 * SIGTERM and start again on the same port and database. The child is node
 * itself, not the `bin/onhand.mjs` wrapper: a signal to the wrapper would not
 * reach the server it spawned.
 */
export class ServerProcess {
  readonly adminToken = `onh_a_${randomBytes(32).toString('base64url')}`;
  /** Times the server was started and became healthy. */
  starts = 0;
  /** Times it was killed with SIGKILL. */
  kills = 0;
  /** The server's recent output (pino JSON lines, the welcome text), for failure messages. */
  readonly output: string[] = [];
  /** Every line the server logged at level error or above, across all its lives. */
  readonly errorLines: string[] = [];
  #child: ChildProcess | undefined;
  #exit: Promise<ProcessExit> | undefined;
  #lineWatchers = new Set<(line: string) => void>();

  private constructor(
    readonly database: ServerDatabase,
    readonly port: number,
    readonly options: ServerOptions,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** Resolves when the current process exits (for a test to notice a crash instead of retrying forever). */
  get exited(): Promise<ProcessExit> {
    if (!this.#exit) throw new Error('the server was never started');
    return this.#exit;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts a server on a free port and waits until /healthz answers. */
  static async start(database: ServerDatabase, options: ServerOptions = {}): Promise<ServerProcess> {
    const server = new ServerProcess(database, await freePort(), options);
    await server.start();
    return server;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error('the server is already running');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: String(this.port),
      HOST: '127.0.0.1',
      ONHAND_ADMIN_TOKEN: this.adminToken,
      ONHAND_SEED_DEMO: 'false',
      // No marketplace: published quantities wait in the outbox.
      ONHAND_MARKETPLACE_URL: 'none',
      LOG_LEVEL: this.options.logLevel ?? 'warn',
      // main.ts reads `DATABASE_URL || undefined`: empty means the embedded database.
      DATABASE_URL: this.database.databaseUrl ?? '',
      ONHAND_DATA_DIR: this.database.dataDir ?? '',
    };
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'server/src/main.ts'), 'serve'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.#record(line);
      });
    }
    await this.waitHealthy();
    this.starts += 1;
  }

  #record(line: string): void {
    if (line.trim() === '') return;
    this.output.push(line);
    if (this.output.length > outputLinesKept) this.output.shift();
    // pino levels: 50 error, 60 fatal.
    if (/"level":(5|6)0/.test(line) || line.startsWith('onhand:')) this.errorLines.push(line);
    for (const watcher of this.#lineWatchers) watcher(line);
  }

  /** Resolves with the next output line that matches `pattern` (from now on). */
  nextLine(pattern: RegExp): Promise<string> {
    return new Promise((resolve) => {
      const watcher = (line: string) => {
        if (!pattern.test(line)) return;
        this.#lineWatchers.delete(watcher);
        resolve(line);
      };
      this.#lineWatchers.add(watcher);
    });
  }

  /** Polls GET /healthz (which queries the database) until it answers 200. */
  async waitHealthy(): Promise<void> {
    const deadline = Date.now() + startLimitMs;
    for (;;) {
      const child = this.#child;
      if (!child || child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the server exited while starting (${child?.exitCode ?? child?.signalCode}):\n${this.tail()}`);
      }
      try {
        const res = await fetch(`${this.url}/healthz`, { signal: AbortSignal.timeout(5000) });
        if (res.status === 200) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error(`the server was not healthy within ${startLimitMs / 1000} s:\n${this.tail()}`);
      await sleep(100);
    }
  }

  /** SIGKILL: no handler runs, nothing is flushed or closed by the server itself. */
  async kill(): Promise<ProcessExit> {
    const exit = await this.#signal('SIGKILL');
    this.kills += 1;
    return exit;
  }

  /** Sends `signal` and waits for the process to exit. */
  async #signal(signal: NodeJS.Signals): Promise<ProcessExit> {
    const child = this.#child;
    if (!child || !this.#exit) throw new Error('the server is not running');
    if (this.running) child.kill(signal);
    return this.#exit;
  }

  /** Sends SIGTERM now; the promise is the exit. */
  terminate(): Promise<ProcessExit> {
    return this.#signal('SIGTERM');
  }

  /** Stops the server for good (SIGTERM, then SIGKILL if it does not exit), for cleanup. */
  async stop(): Promise<void> {
    if (!this.running) return;
    const exit = this.#signal('SIGTERM');
    const timer = setTimeout(() => this.#child?.kill('SIGKILL'), 30_000);
    await exit;
    clearTimeout(timer);
  }

  tail(lines = 40): string {
    return this.output.slice(-lines).join('\n');
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port nothing listens on now; the server keeps it across restarts. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
