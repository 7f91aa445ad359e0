/**
 * The database connection went away under a query: terminated
 * (pg_terminate_backend, a failover: 57P01–57P03), a connection exception
 * (class 08), or node-postgres finding the socket closed.
 */
export function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || ['57P01', '57P02', '57P03', 'ECONNRESET', 'EPIPE'].includes(code))) return true;
  return error instanceof Error && /connection terminated|not queryable|connection ended/i.test(error.message);
}
