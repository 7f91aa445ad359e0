import net from 'node:net';

/**
 * One load-generating client: a single keep-alive HTTP/1.1 connection that
 * sends the exact requests tRPC's `httpLink` sends for a plain mutation or
 * query (POST `/trpc/<path>`, JSON input, bearer token) and reads the answer
 * by its content-length.
 *
 * Why not tRPC's client: on these 2-core machines the load generator shares
 * the CPU with the server and PostgreSQL, and tRPC's client over Node's HTTP
 * costs ~0.8 ms of CPU per call, which the server then cannot use. pgbench's
 * own client is C for the same reason. This caller costs a small part of
 * that, so the figures say more about the API and less about the harness.
 * It is strict: any answer that is not a 200 with a tRPC `result`, or that is
 * not sent with a content-length, fails the bench loudly.
 */
export interface WireCaller {
  call(path: string, input: unknown): Promise<unknown>;
  close(): void;
}

const callTimeoutMs = 60_000;

export async function wireCaller(baseUrl: string, token: string): Promise<WireCaller> {
  const url = new URL(baseUrl);
  if (url.port === '' || url.pathname !== '/') throw new Error(`wireCaller wants http://host:port, got ${baseUrl}`);
  const head = `Host: ${url.host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nConnection: keep-alive\r\n`;

  let pending: { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  let busy = false;
  let buffered: Buffer = Buffer.alloc(0);
  let socket: net.Socket | undefined;
  const fail = (error: Error) => {
    const waiting = pending;
    pending = undefined;
    waiting?.reject(error);
  };
  // An answer this caller cannot frame leaves the connection unusable: it is
  // dropped (the next call opens another) and the call fails.
  const failFraming = (error: Error) => {
    socket?.destroy();
    fail(error);
  };
  const onData = (chunk: Buffer) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    const headEnd = buffered.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const headText = buffered.subarray(0, headEnd).toString('latin1');
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(headText);
    if (!length) return failFraming(new Error(`answer without content-length: ${headText}`));
    const bodyEnd = headEnd + 4 + Number(length[1]);
    if (buffered.length < bodyEnd) return;
    const status = Number(headText.slice(9, 12));
    const body = buffered.subarray(headEnd + 4, bodyEnd).toString('utf8');
    buffered = buffered.subarray(bodyEnd);
    const waiting = pending;
    pending = undefined;
    if (!waiting) return;
    if (status !== 200) return waiting.reject(new Error(`HTTP ${status}: ${body}`));
    const answer = JSON.parse(body) as { result?: { data?: unknown } };
    if (!answer.result) return waiting.reject(new Error(`not a tRPC result: ${body}`));
    waiting.resolve(answer.result.data);
  };

  // The server closes a connection idle for a few seconds (keep-alive
  // timeout): the next call opens a new one, as an HTTP agent would.
  const connected = async (): Promise<net.Socket> => {
    if (socket && !socket.destroyed) return socket;
    const opened = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true });
    await new Promise<void>((resolve, reject) => {
      opened.once('error', reject);
      opened.once('connect', () => {
        opened.off('error', reject);
        resolve();
      });
    });
    buffered = Buffer.alloc(0);
    opened.on('error', fail);
    opened.on('close', () => fail(new Error('the server closed the connection')));
    opened.on('data', onData);
    socket = opened;
    return opened;
  };
  await connected();

  return {
    async call(path, input) {
      if (busy) throw new Error('one call at a time per connection');
      busy = true;
      try {
        const open = await connected();
        // As tRPC's client: no input, no body.
        const body = input === undefined ? '' : JSON.stringify(input);
        return await new Promise((resolve, reject) => {
          // A server that stops answering fails the bench instead of hanging it.
          const timer = setTimeout(() => failFraming(new Error(`no answer to ${path} within ${callTimeoutMs} ms`)), callTimeoutMs);
          const settle = () => clearTimeout(timer);
          pending = { resolve: (value) => (settle(), resolve(value)), reject: (error) => (settle(), reject(error)) };
          open.write(`POST /trpc/${path} HTTP/1.1\r\n${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        });
      } finally {
        busy = false;
      }
    },
    close: () => socket?.destroy(),
  };
}
