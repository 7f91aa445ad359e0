import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** How long requests in flight get to finish before their connections are cut. */
export const stuckRequestMs = 30_000;

/**
 * Graceful shutdown of an HTTP server with keep-alive clients.
 *
 * `server.close()` alone stops accepting new connections but keeps serving
 * new requests on kept-alive ones, and never ends event streams. Here, once
 * closing begins:
 * - every response still to be written says `Connection: close`, so its
 *   socket ends after the answer (no request can follow it on that socket);
 * - a request that arrives anyway (already on the wire) is declined
 *   (`closing` is true: the caller answers 503, retry elsewhere / later);
 * - event streams (live subscriptions) are cut at once: clients reconnect to
 *   another replica and resume from their last event id;
 * - requests in flight finish; only after `stuckRequestMs` is anything cut.
 */
export class GracefulClose {
  private closingSince: number | undefined;
  private readonly inFlight = new Set<ServerResponse>();
  private readonly streams = new Set<ServerResponse>();

  constructor(
    private readonly server: Server,
    private readonly isStream: (req: IncomingMessage) => boolean,
  ) {}

  get closing(): boolean {
    return this.closingSince !== undefined;
  }

  /** Called first for every request. */
  track(req: IncomingMessage, res: ServerResponse): void {
    const set = this.isStream(req) ? this.streams : this.inFlight;
    set.add(res);
    res.once('close', () => {
      set.delete(res);
      // Its socket may now be idle: end it rather than wait for the client.
      if (this.closing) this.server.closeIdleConnections();
    });
    if (this.closing) res.setHeader('connection', 'close');
  }

  /** Resolves once every connection has ended (in-flight requests answered). */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closingSince = Date.now();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
    for (const res of this.streams) res.destroy();
    this.server.closeIdleConnections();
    const stuck = setTimeout(() => this.server.closeAllConnections(), stuckRequestMs);
    try {
      await closed;
    } finally {
      clearTimeout(stuck);
    }
  }
}
