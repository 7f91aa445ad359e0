import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TRPCError, type AnyRouter } from '@trpc/server';
import { createURL, internal_exceptionHandler } from '@trpc/server/adapters/node-http';
import {
  getErrorShape,
  getHTTPStatusCode,
  getTRPCErrorFromUnknown,
  isAsyncIterable,
  isObject,
  isPromise,
  transformTRPCResponse,
} from '@trpc/server/unstable-core-do-not-import';
import type { TRPCRequestInfo } from '@trpc/server/http';

/**
 * tRPC's HTTP protocol for plain queries and mutations, answered straight
 * from Node's request and response.
 *
 * Why: the standalone adapter turns every request into a WHATWG Request
 * (abort signals, header objects, a body stream) and its answer back from a
 * Response stream. On the machines measured here that conversion was about
 * half of the server's CPU for a call that does no work (a seller's
 * `account.get`: ~1,500 calls/s, where Node's bare HTTP answers ~15,000), and
 * it ran for every ledger adjustment, order and page lookup.
 *
 * The answer is tRPC's own: the same procedures and middleware, the same
 * URL reading (createURL), error shapes (getErrorShape with the router's
 * formatter), status codes (getHTTPStatusCode), response envelope
 * (transformTRPCResponse), headers (`vary`, responseMeta), onError, and the
 * same lazy reading of inputs. Everything else (subscriptions, streaming
 * batches, connection parameters, GET without `input`, other content types,
 * a body that is not JSON, a batch mixing queries and mutations, an unknown
 * procedure, a method the procedure does not take, a Host that is not a URL)
 * goes to `fallback`, tRPC's own handler, so that its behaviour there is
 * tRPC's to the byte: server/test/lean-trpc-handler.test.ts compares the two
 * on a table of requests.
 */
export interface LeanTrpcOptions<TContext> {
  router: AnyRouter;
  /** Like '/trpc/'. */
  basePath: string;
  maxBodySize: number;
  /** Queries may be sent as POST (httpBatchLink's methodOverride), as with tRPC's option of that name. */
  allowMethodOverride: boolean;
  createContext: (opts: { req: IncomingMessage; res: ServerResponse; info: TRPCRequestInfo }) => TContext | Promise<TContext>;
  responseMeta?: (opts: { errors: TRPCError[] }) => { headers?: Record<string, string>; status?: number };
  /** As tRPC calls it: `input` only once the procedure has read it. */
  onError?: (opts: { error: TRPCError; path: string | undefined; input: unknown; ctx: TContext | undefined; type: string; req: IncomingMessage }) => void;
  /** Where a failure of this handler itself (a bug: procedures' errors are answers) is logged. */
  logFailure: (error: unknown) => void;
  /** tRPC's own handler, for every request this one does not take. */
  fallback: (req: IncomingMessage, res: ServerResponse) => void;
}

// Procedures get no abort signal: none of the queries or mutations reads
// one (an AbortController per request was part of the adapter's cost), and
// subscriptions, which do, go to tRPC's handler.
type Procedure = ((opts: { path: string; getRawInput: () => Promise<unknown>; ctx: unknown; type: 'query' | 'mutation'; signal: AbortSignal | undefined; batchIndex: number }) => Promise<unknown>) & {
  _def: { type: 'query' | 'mutation' | 'subscription' };
};

interface Call {
  path: string;
  procedure: Procedure;
}

type Outcome = { ok: true; data: unknown } | { ok: false; error: TRPCError };

export function createLeanTrpcHandler<TContext>(options: LeanTrpcOptions<TContext>): (req: IncomingMessage, res: ServerResponse) => void {
  const config = options.router._def._config;
  const procedures = options.router._def.procedures as Record<string, Procedure | undefined>;
  // Procedure paths are read with tRPC's default separator; a router with another one is tRPC's to read.
  const pathSeparatorIsDot = ((config as { pathSeparator?: string }).pathSeparator ?? '.') === '.';

  return (req, res) => {
    const request = pathSeparatorIsDot ? takeable(req, options, procedures) : undefined;
    if (!request) {
      options.fallback(req, res);
      return;
    }
    if (req.method === 'GET') {
      answer(req, res, request, request.queryInput, options).catch((error: unknown) => failed(req, res, error, options));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    // Run in the request's async context (its database scope, db/scope.ts),
    // which the socket's 'end' event would otherwise not carry. Not
    // AsyncResource.bind: on Node 20 it builds two deprecation wrappers per
    // call, a measurable part of a small request's CPU.
    const requestContext = new AsyncResource('onhand.lean-trpc.body');
    req.on('end', () =>
      requestContext.runInAsyncScope(() => {
        const text = Buffer.concat(chunks, size).toString('utf8');
        let parsed: unknown;
        try {
          parsed = text === '' ? undefined : JSON.parse(text);
        } catch {
          // Not JSON: tRPC words that refusal (request-limits.ts names the body).
          fallbackWithBody(req, res, text, options);
          return;
        }
        // A batch's inputs are an object keyed by call index; tRPC refuses anything else.
        if (request.isBatchCall && !isBatchInputs(parsed)) {
          fallbackWithBody(req, res, text, options);
          return;
        }
        answer(req, res, request, parsed, options).catch((error: unknown) => failed(req, res, error, options));
      }),
    );
  };
}

/** The standalone adapter's: one leading and one trailing slash off. */
function trimSlashes(path: string): string {
  const start = path.startsWith('/') ? path.slice(1) : path;
  return start.endsWith('/') ? start.slice(0, -1) : start;
}
const mediaType = (contentType: string) => contentType.toLowerCase().split(';', 1)[0]!.trim();

/** The request's procedures when this handler takes it; undefined sends it to tRPC's handler untouched. */
function takeable<TContext>(
  req: IncomingMessage,
  options: LeanTrpcOptions<TContext>,
  procedures: Record<string, Procedure | undefined>,
): { calls: Call[]; isBatchCall: boolean; url: URL; queryInput?: unknown } | undefined {
  // Streaming batches (httpBatchStreamLink, or `Accept: application/jsonl`) and subscriptions are tRPC's.
  if (req.headers['trpc-accept'] !== undefined || req.headers.accept?.includes('application/jsonl')) return undefined;
  // The URL as tRPC reads it (a Host it cannot read is its refusal to word).
  let url: URL;
  try {
    url = createURL(req);
  } catch {
    return undefined;
  }
  if (!url.pathname.startsWith(options.basePath)) return undefined;
  const pathPart = trimSlashes(trimSlashes(url.pathname).slice(trimSlashes(options.basePath).length));
  // Escaped paths are decoded by tRPC's own rules; connection parameters (a token) are parsed by it.
  if (pathPart === '' || pathPart.includes('%') || url.searchParams.has('connectionParams')) return undefined;
  const isBatchCall = url.searchParams.get('batch') === '1';
  const names = isBatchCall ? pathPart.split(',') : [pathPart];
  const calls: Call[] = [];
  for (const path of names) {
    const procedure = Object.hasOwn(procedures, path) ? procedures[path] : undefined;
    if (!procedure) return undefined;
    const type = procedure._def.type;
    if (req.method === 'GET' ? type !== 'query' : type !== 'mutation' && !(type === 'query' && options.allowMethodOverride)) return undefined;
    // tRPC refuses a batch that mixes queries and mutations.
    if (calls.length > 0 && calls[0]!.procedure._def.type !== type) return undefined;
    calls.push({ path, procedure });
  }
  const contentType = req.headers['content-type'];
  if (req.method === 'GET') {
    // A GET is read as JSON unless it names another type tRPC knows (form data, a byte stream): it refuses those.
    if (contentType !== undefined && mediaType(contentType) !== 'application/json') return undefined;
    const input = url.searchParams.get('input');
    if (input === null) return undefined;
    let queryInput: unknown;
    try {
      queryInput = JSON.parse(input);
    } catch {
      return undefined;
    }
    return isBatchCall && !isBatchInputs(queryInput) ? undefined : { calls, isBatchCall, url, queryInput };
  }
  if (req.method !== 'POST') return undefined;
  // A declared JSON body within the limit; anything else (chunked, too large,
  // another media type) is refused or parsed by tRPC.
  if (contentType === undefined || mediaType(contentType) !== 'application/json') return undefined;
  const length = Number(req.headers['content-length']);
  if (!Number.isSafeInteger(length) || length > options.maxBodySize) return undefined;
  return { calls, isBatchCall, url };
}

/**
 * The calls' inputs as tRPC reads them: deserialized on a procedure's first
 * request for its input (a failure is every call's BAD_REQUEST), and known to
 * errors and onError only once read.
 */
function inputsOf(config: AnyRouter['_def']['_config'], isBatchCall: boolean, raw: unknown, count: number) {
  let read: Record<number, unknown> | undefined;
  let failure: TRPCError | undefined;
  const readAll = (): Record<number, unknown> => {
    if (read) return read;
    if (failure) throw failure;
    try {
      const inputs: Record<number, unknown> = {};
      if (raw !== undefined && !isBatchCall) inputs[0] = config.transformer.input.deserialize(raw);
      for (let index = 0; raw !== undefined && isBatchCall && index < count; index += 1) {
        const input = (raw as Record<number, unknown>)[index];
        if (input !== undefined) inputs[index] = config.transformer.input.deserialize(input);
      }
      return (read = inputs);
    } catch (cause) {
      throw (failure = cause instanceof TRPCError ? cause : new TRPCError({ code: 'BAD_REQUEST', message: cause instanceof Error ? cause.message : 'Invalid input', cause }));
    }
  };
  return { read: async (index: number) => readAll()[index], result: (index: number) => read?.[index] };
}

/** What tRPC refuses to put in a JSON answer: an async iterable, or an object holding a promise or one. */
const isDataStream = (data: unknown) => isObject(data) && (isAsyncIterable(data) || Object.values(data).some((value) => isPromise(value) || isAsyncIterable(value)));
const streamInJson = () => new TRPCError({ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink' });

async function answer<TContext>(
  req: IncomingMessage,
  res: ServerResponse,
  { calls, isBatchCall, url }: { calls: Call[]; isBatchCall: boolean; url: URL },
  rawInputs: unknown,
  options: LeanTrpcOptions<TContext>,
): Promise<void> {
  const config = options.router._def._config;
  const inputs = inputsOf(config, isBatchCall, rawInputs, calls.length);
  const type = calls[0]!.procedure._def.type as 'query' | 'mutation';
  const info = {
    isBatchCall,
    accept: null,
    type,
    calls: calls.map((c, index) => ({ path: c.path, procedure: c.procedure, batchIndex: index, getRawInput: () => inputs.read(index), result: () => inputs.result(index) })),
    connectionParams: null,
    signal: undefined,
    url,
  } as unknown as TRPCRequestInfo;

  let ctx: TContext | undefined;
  let contextError: TRPCError | undefined;
  try {
    ctx = await options.createContext({ req, res, info });
  } catch (cause) {
    contextError = getTRPCErrorFromUnknown(cause);
  }
  const outcomes = await Promise.all(
    calls.map(async (call, index): Promise<Outcome> => {
      try {
        if (contextError) throw contextError;
        return { ok: true, data: await call.procedure({ path: call.path, getRawInput: () => inputs.read(index), ctx, type, signal: undefined, batchIndex: index }) };
      } catch (cause) {
        const error = getTRPCErrorFromUnknown(cause);
        options.onError?.({ error, path: call.path, input: inputs.result(index), ctx, type, req });
        return { ok: false, error };
      }
    }),
  );

  const headers: Record<string, string> = { vary: 'trpc-accept, accept', 'content-type': 'application/json' };
  const withMeta = (errors: TRPCError[], status: number) => {
    const meta = options.responseMeta?.({ errors }) ?? {};
    for (const [key, value] of Object.entries(meta.headers ?? {})) headers[key.toLowerCase()] = value;
    return meta.status || status;
  };
  // tRPC's answer when the request as a whole fails after its calls ran (no path, no input); if that fails too, failed().
  const requestFailed = (cause: unknown): [number, string] => {
    const error = getTRPCErrorFromUnknown(cause);
    options.onError?.({ error, path: undefined, input: undefined, ctx, type, req });
    const json = { error: getErrorShape({ config, ctx, error, type, path: undefined, input: undefined }) };
    return [withMeta([error], getHTTPStatusCode(json as never, [error])), JSON.stringify(transformTRPCResponse(config, json as never))];
  };

  let status: number;
  let body: string;
  try {
    const single = outcomes[0]!;
    if (!isBatchCall && single.ok && isDataStream(single.data)) throw streamInJson();
    // In a batch, each such answer is that call's error (not passed to onError).
    const settled = outcomes.map((o): Outcome => (isBatchCall && o.ok && isDataStream(o.data) ? { ok: false, error: streamInJson() } : o));
    const items = settled.map((outcome, index) =>
      outcome.ok
        ? { result: { data: outcome.data } }
        : { error: getErrorShape({ config, ctx, error: outcome.error, input: inputs.result(index), path: calls[index]!.path, type }) },
    );
    const json = isBatchCall ? items : items[0]!;
    const errors = settled.map((o) => (o.ok ? undefined : o.error));
    status = withMeta(errors.filter((e) => e !== undefined), getHTTPStatusCode(json as never, errors as never));
    body = JSON.stringify(transformTRPCResponse(config, json as never));
  } catch (cause) {
    // A formatter or transformer that throws, data JSON cannot hold (a BigInt), a stream.
    [status, body] = requestFailed(cause);
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers).end(body);
}

const isBatchInputs = (inputs: unknown) => inputs === undefined || (inputs !== null && typeof inputs === 'object' && !Array.isArray(inputs));

/**
 * tRPC's own handler for a request whose body this one has read: the
 * standalone adapter takes a body already read from `req.body` (its
 * documented way for servers whose middleware parsed it).
 */
function fallbackWithBody<TContext>(req: IncomingMessage, res: ServerResponse, body: string, options: LeanTrpcOptions<TContext>): void {
  Object.assign(req, { body });
  options.fallback(req, res);
}

/** A failure of this handler itself: logged, and answered as tRPC's adapter answers its own. */
function failed<TContext>(req: IncomingMessage, res: ServerResponse, error: unknown, options: LeanTrpcOptions<TContext>): void {
  options.logFailure(error);
  const onError = options.onError as ((opts: { error: TRPCError; path: string | undefined }) => void) | undefined;
  internal_exceptionHandler({ req, res, path: '', router: options.router, createContext: () => undefined, ...(onError ? { onError } : {}) })(error);
}
