import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/** A request exactly as it goes on the wire. `chunked`: the body without content-length. */
export interface Wire {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  chunked?: boolean;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** A stream (SSE): only its head and first event are read. */
  firstEvent?: boolean;
}

/** How an answer's body was framed: whole (content-length) or streamed (chunked). */
export type Framing = 'content-length' | 'chunked' | undefined;

export interface WireAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  framing: Framing;
}

/** Sends `wire` with node:http (no client library in between) to 127.0.0.1:`port`. */
export function sendWire(port: number, wire: Wire): Promise<WireAnswer> {
  const headers: Record<string, string> = { ...wire.headers };
  if (wire.token) headers.authorization = `Bearer ${wire.token}`;
  if (wire.body !== undefined && !wire.chunked) headers['content-length'] = String(Buffer.byteLength(wire.body));
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: wire.method, path: wire.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      const done = () => {
        const framing = res.headers['content-length'] !== undefined ? 'content-length' : res.headers['transfer-encoding'] === 'chunked' ? 'chunked' : undefined;
        resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), framing });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        if (wire.firstEvent && Buffer.concat(chunks).includes('\n\n')) {
          res.destroy();
          done();
        }
      });
      res.on('end', done);
      res.on('error', reject);
    });
    // A server may answer (413) before it has read all of a large body.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (wire.chunked && wire.body !== undefined) {
      // Writes before end(): node:http sends Transfer-Encoding: chunked.
      for (let at = 0; at < wire.body.length; at += 65_536) req.write(wire.body.slice(at, at + 65_536));
      req.end();
    } else req.end(wire.body);
  });
}
