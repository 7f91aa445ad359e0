import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AddressInfo } from 'node:net';
import { initTRPC, TRPCError } from '@trpc/server';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { z } from 'zod';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendWire, type Wire } from '../../test/support/wire';
import { createLeanTrpcHandler } from './lean-trpc-handler';

/**
 * Which requests the lean handler answers itself and which it passes to
 * tRPC's handler, on a small router of its own; and that what it answers
 * (errors naming their input, answers JSON cannot hold, a formatter that
 * throws) is what tRPC's standalone handler answers to the same request.
 */

interface Context {
  user: string | null;
}
const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error, input, type }) {
    // Once: tRPC formats the formatter's own error instead. Always: tRPC's last resort.
    if (error.message === 'the formatter breaks once') throw new Error('a bug in the formatter');
    if (error.message.startsWith('the formatter breaks always')) throw new Error('the formatter breaks always, again');
    // The input as tRPC hands it over: only once the procedure has read it.
    return { ...shape, data: { ...shape.data, stack: undefined, type, input: input === undefined ? '(not read)' : input } };
  },
});
const signedIn = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'who are you?' });
  return next();
});
const number = z.object({ n: z.number() });
const router = t.router({
  echo: t.procedure.input(number).query(({ input }) => input),
  double: t.procedure.input(number).mutation(({ input }) => ({ n: input.n * 2 })),
  guarded: signedIn.input(number).query(({ input }) => input),
  none: t.procedure.query(() => 'none'),
  stream: t.procedure.query(() => ({ later: Promise.resolve(1) })),
  bigint: t.procedure.query(() => ({ n: 1n })),
  breaksOnce: t.procedure.query(() => {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'the formatter breaks once' });
  }),
  breaksAlways: t.procedure.query(() => {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'the formatter breaks always' });
  }),
  busy: t.procedure.query(() => {
    throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'busy' });
  }),
});

type Reported = { code: string; path: string | undefined; input: unknown };

function handlerOptions(reported: Reported[]) {
  return {
    router,
    basePath: '/trpc/',
    maxBodySize: 1000,
    allowMethodOverride: true,
    createContext: ({ req }: { req: IncomingMessage }) => ({ user: req.headers.authorization ?? null }),
    responseMeta: ({ errors }: { errors: TRPCError[] }) => (errors.some((e) => e.code === 'TOO_MANY_REQUESTS') ? { headers: { 'retry-after': '7' } } : {}),
    onError: ({ error, path, input }: { error: TRPCError; path: string | undefined; input?: unknown }) => reported.push({ code: error.code, path, input }),
  };
}

const fellBack: string[] = [];
const failures: unknown[] = [];
const leanReported: Reported[] = [];
const standaloneReported: Reported[] = [];
const standaloneHandler = createHTTPHandler(handlerOptions(standaloneReported));
const fallbackHandler = createHTTPHandler(handlerOptions(leanReported));
const leanHandler = createLeanTrpcHandler({
  ...handlerOptions(leanReported),
  logFailure: (error) => failures.push(error),
  fallback: (req: IncomingMessage, res: ServerResponse) => {
    fellBack.push(`${req.method} ${req.url}`);
    fallbackHandler(req, res);
  },
});

interface Seen {
  status: number;
  headers: Record<string, string | undefined>;
  body: unknown;
}

async function send(server: Server, wire: Wire): Promise<Seen> {
  const answer = await sendWire((server.address() as AddressInfo).port, wire);
  const picked = Object.fromEntries(['content-type', 'vary', 'allow', 'retry-after'].map((name) => [name, answer.headers[name] as string | undefined]));
  return { status: answer.status, headers: picked, body: answer.text === '' ? undefined : (JSON.parse(answer.text) as unknown) };
}

const json = { 'content-type': 'application/json' };
const post = (path: string, body: string, more: Partial<Wire> = {}): Wire => ({ method: 'POST', path: `/trpc/${path}`, headers: json, body, ...more });
const get = (path: string, more: Partial<Wire> = {}): Wire => ({ method: 'GET', path: `/trpc/${path}`, ...more });

interface Row {
  name: string;
  wire: Wire;
  status: number;
  /** Answered by the lean handler itself (false: passed to tRPC's). */
  lean: boolean;
}

const rows: Row[] = [
  { name: 'a mutation as POST with content-length', wire: post('double', '{"n":2}'), status: 200, lean: true },
  { name: 'a query as POST (method override)', wire: post('echo', '{"n":1}'), status: 200, lean: true },
  { name: 'a query as GET with ?input=', wire: get('echo?input=%7B%22n%22%3A1%7D'), status: 200, lean: true },
  { name: 'a batch of two queries as GET', wire: get('echo,none?batch=1&input=%7B%220%22%3A%7B%22n%22%3A1%7D%7D'), status: 200, lean: true },
  { name: 'a batch of a success and an error', wire: post('echo,busy?batch=1', '{"0":{"n":1}}'), status: 207, lean: true },
  { name: 'refused before its input is read: the error does not name the input', wire: post('guarded', '{"n":"one"}'), status: 401, lean: true },
  { name: 'refused after its input is read: the error names the input', wire: post('guarded', '{"n":"one"}', { headers: { ...json, authorization: 'me' } }), status: 400, lean: true },
  { name: 'an answer holding a promise: UNSUPPORTED_MEDIA_TYPE', wire: get('stream?input=%7B%7D'), status: 415, lean: true },
  { name: 'an answer holding a promise, in a batch: that call’s error', wire: post('stream,echo?batch=1', '{"1":{"n":1}}'), status: 207, lean: true },
  { name: 'an answer JSON cannot hold (a BigInt): INTERNAL_SERVER_ERROR', wire: get('bigint?input=%7B%7D'), status: 500, lean: true },
  { name: 'an error formatter that throws: the error of the formatter', wire: post('breaksOnce', '{}'), status: 500, lean: true },
  { name: 'an error formatter that throws on that too: tRPC’s last-resort answer', wire: post('breaksAlways', '{}'), status: 500, lean: true },
  { name: 'responseMeta’s headers', wire: post('busy', '{}'), status: 429, lean: true },
  { name: 'a GET without input', wire: get('none'), status: 200, lean: false },
  { name: 'a body without content-length', wire: post('double', '{"n":2}', { chunked: true }), status: 200, lean: false },
  { name: 'a body over the limit', wire: post('double', JSON.stringify({ n: 1, pad: 'x'.repeat(1000) })), status: 413, lean: false },
  { name: 'a body that is not JSON', wire: post('double', '{"n":'), status: 400, lean: false },
  { name: 'content-type text/plain', wire: post('double', '{"n":2}', { headers: { 'content-type': 'text/plain' } }), status: 415, lean: false },
  { name: 'a mutation as GET', wire: get('double?input=%7B%22n%22%3A1%7D'), status: 405, lean: false },
  { name: 'an unknown procedure', wire: post('nope', '{}'), status: 404, lean: false },
  { name: 'a batch mixing a query and a mutation', wire: post('echo,double?batch=1', '{"0":{"n":1},"1":{"n":1}}'), status: 400, lean: false },
  { name: 'a batch whose body is an array', wire: post('echo?batch=1', '[{"n":1}]'), status: 400, lean: false },
  { name: 'Accept: application/jsonl', wire: post('echo', '{"n":1}', { headers: { ...json, accept: 'application/jsonl' } }), status: 400, lean: false },
  { name: 'connectionParams', wire: get('echo?input=%7B%22n%22%3A1%7D&connectionParams=%7B%7D'), status: 200, lean: false },
  { name: 'a GET naming application/octet-stream', wire: get('echo?input=%7B%22n%22%3A1%7D', { headers: { 'content-type': 'application/octet-stream' } }), status: 405, lean: false },
  { name: 'a Host that is not a host', wire: post('echo', '{"n":1}', { headers: { ...json, host: 'exa mple' } }), status: 400, lean: false },
  { name: 'HEAD', wire: { method: 'HEAD', path: '/trpc/none' }, status: 204, lean: false },
];

describe('the lean tRPC handler, beside tRPC’s standalone handler', () => {
  const servers: Server[] = [];
  const listen = async (handler: (req: IncomingMessage, res: ServerResponse) => void) => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  };
  let lean: Server;
  let standalone: Server;
  beforeAll(async () => {
    lean = await listen(leanHandler);
    standalone = await listen(standaloneHandler);
  });
  afterAll(async () => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));
  beforeEach(() => {
    fellBack.length = 0;
    failures.length = 0;
    leanReported.length = 0;
    standaloneReported.length = 0;
  });

  it.each(rows)('$name: answered by the lean handler: $lean', async (row) => {
    const leanAnswer = await send(lean, row.wire);
    const standaloneAnswer = await send(standalone, row.wire);
    expect(fellBack).toEqual(row.lean ? [] : [`${row.wire.method} ${row.wire.path}`]);
    expect(leanAnswer).toEqual(standaloneAnswer);
    expect(leanAnswer.status).toBe(row.status);
  });

  it('passes the input to onError as tRPC does: once read, and not before', async () => {
    await send(lean, post('guarded', '{"n":"one"}'));
    await send(standalone, post('guarded', '{"n":"one"}'));
    await send(lean, post('guarded', '{"n":"one"}', { headers: { ...json, authorization: 'me' } }));
    await send(standalone, post('guarded', '{"n":"one"}', { headers: { ...json, authorization: 'me' } }));
    expect(leanReported).toEqual([
      { code: 'UNAUTHORIZED', path: 'guarded', input: undefined },
      { code: 'BAD_REQUEST', path: 'guarded', input: { n: 'one' } },
    ]);
    expect(leanReported).toEqual(standaloneReported);
  });

  it('logs a failure it cannot answer as an error shape (a formatter that always throws), besides answering it', async () => {
    await send(lean, post('breaksOnce', '{}'));
    expect(failures).toEqual([]);
    await send(lean, post('breaksAlways', '{}'));
    expect(failures).toHaveLength(1);
    expect(String(failures[0])).toContain('the formatter breaks always, again');
  });

  it('works in the request’s async context, for a POST whose body arrives later as for a GET (the server’s database scope travels that way)', async () => {
    const storage = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const handler = createLeanTrpcHandler({
      ...handlerOptions([]),
      createContext: () => (seen.push(storage.getStore()), { user: null }),
      logFailure: (error) => failures.push(error),
      fallback: (req) => fellBack.push(`${req.method} ${req.url}`),
    });
    const scoped = await listen((req, res) => storage.run('this request', () => handler(req, res)));
    expect((await send(scoped, post('double', '{"n":2}'))).body).toEqual({ result: { data: { n: 4 } } });
    expect((await send(scoped, get('echo?input=%7B%22n%22%3A1%7D'))).body).toEqual({ result: { data: { n: 1 } } });
    expect(seen).toEqual(['this request', 'this request']);
    expect(fellBack).toEqual([]);
  });
});
