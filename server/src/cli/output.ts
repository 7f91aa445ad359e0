import type { Writable } from 'node:stream';
import { createColors } from 'picocolors';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export interface Output {
  json: boolean;
  stderr: CliIo['stderr'];
  stdout: CliIo['stdout'];
  /** A progress bar only where a person watches (stderr is a terminal) and never with --json. */
  progress: boolean;
  color: ReturnType<typeof createColors>;
  /** The result: JSON with --json, else the human text. */
  result(value: unknown, human: () => string): void;
  warn(message: string): void;
}

export function makeOutput(io: CliIo, json: boolean): Output {
  const tty = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  const color = createColors(tty || Boolean(io.env.FORCE_COLOR && io.env.FORCE_COLOR !== '0'));
  return {
    json,
    stderr: io.stderr,
    stdout: io.stdout,
    progress: Boolean(io.stderr.isTTY) && !json,
    color,
    result(value, human) {
      io.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    warn(message) {
      io.stderr.write(`${message}\n`);
    },
  };
}

/** Rows as aligned columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}
