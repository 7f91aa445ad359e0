import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import type { DatabaseKind } from '../../src/db/connect';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/http/server';
import { createPostgresDatabase, readPgliteTemplate } from '../../src/testing';

export interface TestServer {
  server: RunningServer;
  adminToken: string;
  close(): Promise<void>;
}

let template: Promise<Blob> | undefined;

/**
 * The real server (HTTP, tRPC, its own pool or embedded database) on a fresh
 * database of the given kind, with a bootstrap admin token.
 */
export async function startTestServer(kind: DatabaseKind, options: Omit<StartServerOptions, 'databaseUrl' | 'dataDir' | 'adminToken'> = {}): Promise<TestServer> {
  const adminToken = `onh_a_${randomBytes(32).toString('base64url')}`;
  if (kind === 'pglite') {
    template ??= readPgliteTemplate(inject('pgliteTemplateFile'));
    const server = await startServer({ logLevel: 'silent', ...options, pgliteTemplate: await template, adminToken });
    return { server, adminToken, close: () => server.close() };
  }
  const baseUrl = process.env.TEST_DATABASE_URL;
  if (!baseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const created = await createPostgresDatabase(baseUrl);
  const server = await startServer({ logLevel: 'silent', ...options, databaseUrl: created.databaseUrl, adminToken });
  return {
    server,
    adminToken,
    close: async () => {
      await server.close();
      await created.drop();
    },
  };
}

/** What a tRPC call answered over HTTP: status, headers and the parsed body. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface TrpcErrorBody {
  error: { message: string; data: { code: string; httpStatus: number; fields?: { path: string; message: string }[]; retryAfterSeconds?: number } };
}

/**
 * One call as raw HTTP (the body is sent exactly as given, so a test can send
 * what no tRPC client would): a POST for mutations, and for queries too
 * (method override), as the extension and the CLI do.
 */
export async function postCall(baseUrl: string, path: string, body: string | undefined, token?: string): Promise<HttpAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${baseUrl}/trpc/${path}`, { method: 'POST', headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: kept as text so a test can show it.
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export function errorOf(answer: HttpAnswer): TrpcErrorBody['error'] | undefined {
  const body = answer.body as Partial<TrpcErrorBody> | undefined;
  return typeof body === 'object' && body !== null && body.error ? body.error : undefined;
}

class RawText {
  constructor(readonly text: string) {}
}

/**
 * JSON.stringify, also for values nested deeper than its recursion can go
 * (a few thousand levels): the same text, built with an explicit stack.
 */
export function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
  }
  const parts: string[] = [];
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item instanceof RawText) parts.push(item.text);
    else if (Array.isArray(item)) {
      pending.push(new RawText(']'));
      for (let i = item.length - 1; i >= 0; i -= 1) pending.push(item[i] === undefined ? null : item[i], ...(i > 0 ? [new RawText(',')] : []));
      pending.push(new RawText('['));
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item).filter(([, v]) => v !== undefined);
      pending.push(new RawText('}'));
      entries.reverse().forEach(([key, v], i) => pending.push(v, new RawText(`${JSON.stringify(key)}:`), ...(i < entries.length - 1 ? [new RawText(',')] : [])));
      pending.push(new RawText('{'));
    } else parts.push(JSON.stringify(item) ?? 'null');
  }
  return parts.join('');
}
