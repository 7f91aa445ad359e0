import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import { limits } from '@onhand/shared';
import type { RunningServer } from '../src/http/server';
import { startTestServer, type TestServer } from './support/fuzz-server';
import type { AppRouter } from '../src/trpc/router';

/** The API over real HTTP: what integrators and the extension actually send. */
describe('the HTTP API', () => {
  let running: TestServer;
  let server: RunningServer;
  beforeAll(async () => {
    // The embedded database, cloned from the migrated template (no initdb per test file).
    running = await startTestServer('pglite', { seedDemo: true });
    server = running.server;
  });
  afterAll(async () => running?.close());

  const client = (token: string) =>
    createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${server.url}/trpc`, headers: { Authorization: `Bearer ${token}` }, methodOverride: 'POST' })] });

  it('answers a full 500-row page lookup (too long for a URL, so sent as POST)', async () => {
    const rows = Array.from({ length: limits.batchMax }, (_, i) => ({ key: `row-${i}`, channelSku: i < 4 ? server.demo!.skus[i]! : `UNKNOWN-SELLER-SKU-${i}`, externalId: `B0UNKNOWN${String(i).padStart(6, '0')}` }));
    const { rows: answered } = await client(server.demo!.sellerToken).listings.lookup.query({ marketplace: 'amazon', rows });
    expect(answered).toHaveLength(limits.batchMax);
    expect(answered.slice(0, 4).every((r) => r.match === 'tracked')).toBe(true);
    expect(answered[4]?.match).toBe('unknown');
  });

  it('refuses an oversized body with PAYLOAD_TOO_LARGE and a bad token with UNAUTHORIZED', async () => {
    // Over 1 MB: refused by size before it is even parsed.
    const huge = Array.from({ length: 400 }, (_, i) => ({ key: `k${i}`.padEnd(3000, 'x'), channelSku: 'S' }));
    const tooLarge = await client(server.demo!.sellerToken).listings.lookup.query({ marketplace: 'amazon', rows: huge }).catch((e: unknown) => e);
    expect(tooLarge).toBeInstanceOf(TRPCClientError);
    expect((tooLarge as TRPCClientError<AppRouter>).data?.code).toBe('PAYLOAD_TOO_LARGE');
    expect((tooLarge as TRPCClientError<AppRouter>).message).toBe('request body: larger than 1000000 bytes; send fewer rows per request');
    const unauthorized = await client('onh_s_nope').sources.list.query().catch((e: unknown) => e);
    expect((unauthorized as TRPCClientError<AppRouter>).data?.code).toBe('UNAUTHORIZED');
  });
});
