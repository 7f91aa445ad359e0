import { createTRPCClient, httpBatchLink, httpLink, splitLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../trpc/router';

export const defaultServer = 'http://127.0.0.1:8787';

/** Exit codes scripts can rely on (documented in `onhand --help`). */
export const exitCodes = { ok: 0, failure: 1, usage: 2, invalidInput: 3, auth: 4 } as const;

/** An error the CLI reports in one line and turns into an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export interface Connection {
  server: string;
  token: string | undefined;
}

/** Calls that carry up to 500 rows go alone in their request: batched together they could pass the server's 1 MB body limit. */
const unbatchedPaths = new Set(['inventory.setQuantities']);

export function apiClient(connection: Connection) {
  const url = `${connection.server.replace(/\/+$/, '')}/trpc`;
  const headers = () => (connection.token ? { authorization: `Bearer ${connection.token}` } : {});
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => unbatchedPaths.has(op.path),
        true: httpLink({ url, headers }),
        false: httpBatchLink({
          url,
          // One HTTP request carries up to this many calls made in the same tick.
          maxItems: 100,
          // Queries go in the body (the server allows the override): a 500-SKU lookup does not fit a URL.
          methodOverride: 'POST',
          headers,
        }),
      }),
    ],
  });
}
export type ApiClient = ReturnType<typeof apiClient>;

export function errorCode(error: unknown): string | undefined {
  if (error instanceof TRPCClientError) return (error.data as { code?: string } | undefined)?.code;
  return undefined;
}

/** Any failure as a CliError with the exit code its kind calls for. */
export function asCliError(error: unknown, connection?: Connection): CliError {
  if (error instanceof CliError) return error;
  const code = errorCode(error);
  if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN') {
    const hint = connection?.token ? '' : ' (pass --token or set ONHAND_TOKEN)';
    return new CliError(`${code.toLowerCase()}: ${(error as Error).message}${hint}`, exitCodes.auth);
  }
  if (error instanceof TRPCClientError) {
    const cause = (error as TRPCClientError<AppRouter>).cause;
    if (!code && cause) return new CliError(`cannot reach the server${connection ? ` at ${connection.server}` : ''}: ${cause.message}`, exitCodes.failure);
    return new CliError(`${code ? `${code.toLowerCase()}: ` : ''}${error.message}`, exitCodes.failure);
  }
  return new CliError(error instanceof Error ? error.message : String(error), exitCodes.failure);
}
