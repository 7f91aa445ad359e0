import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { newRetryStats, type RetryStats } from './support/api';
import { ConnectionCutter, cutAtPoints, slowDownCommits, type CutFigures } from './support/connection-cutter';
import { finalStateProblems } from './support/final-state';
import { deliver, replayUntilAcknowledged, setUpSeller, type Acknowledgement, type SellerWorld } from './support/marketplace-sender';
import { expectedState, mulberry32, orderEvents, stockSkus, type OrderEvent } from './support/order-events';
import { freshDatabase, postgresBaseUrl, printFigures, scenarioTimeoutMs, seed, senders, sizes } from './support/run-settings';
import { ServerProcess } from './support/server-process';

/**
 * Issue 9, "A lost database connection loses nothing": while order events are
 * replayed, PostgreSQL terminates the server's connections (one, all, or in a
 * tight loop for a while every one caught mid-transaction or running COMMIT;
 * request commits are slowed down a little so that some are caught). The
 * server must stay up and never answer with an internal error; senders retry
 * with the same idempotency key and get the first outcome; the end state is
 * checked as after the SIGKILLs. Two readers query meanwhile. PostgreSQL
 * only: the embedded database has no connection to lose.
 */
describe('a lost database connection loses nothing (postgres)', () => {
  const stats: RetryStats = newRetryStats();
  const acknowledged: Acknowledgement[] = [];
  const readErrors: string[] = [];
  let reads = 0;
  let figures: CutFigures | undefined;
  let problems: string[] = [];
  let serverErrorLines: string[] = [];
  let stillUp = false;
  let writeProbeFailure: string | undefined;
  const readProbeFailures: string[] = [];
  let cleanup = async () => {};

  beforeAll(async () => {
    const database = await freshDatabase('postgres');
    await slowDownCommits(database.databaseUrl!);
    const server = await ServerProcess.start(database);
    const cutter = await ConnectionCutter.open(postgresBaseUrl(), database.databaseUrl!);
    let stopping = false;
    cleanup = async () => {
      stopping = true;
      await cutter.close();
      await server.stop();
      await database.drop();
    };
    figures = cutter.figures;
    const world = await setUpSeller(server.url, server.adminToken);
    const events = orderEvents(sizes.cutEvents, seed);
    const random = mulberry32(seed + 2);

    // A crash must fail the run, not leave the senders retrying against nothing.
    const crashed = new AbortController();
    void server.exited.then((exit) => {
      if (!stopping) crashed.abort(new Error(`the server exited (${exit.code ?? exit.signal}) on a lost connection:\n${server.tail()}`));
    });
    let replayDone = false;
    const replay = replayUntilAcknowledged(world, events, { concurrency: senders, stats, acknowledged, signal: crashed.signal }).finally(() => {
      replayDone = true;
    });
    const readers = Array.from({ length: 2 }, async () => {
      while (!replayDone) reads += await readOnce(world, readErrors);
    });
    const points = Array.from({ length: sizes.cutWindows }, () => Math.floor((0.02 + 0.93 * random()) * events.length)).sort((a, b) => a - b);
    const cuts = cutAtPoints(cutter, points, () => acknowledged.length, () => replayDone, random);
    const [replayed, cut] = await Promise.allSettled([replay, cuts, ...readers]);
    if (crashed.signal.aborted) throw crashed.signal.reason;
    if (replayed.status === 'rejected') throw replayed.reason;
    if (cut.status === 'rejected') throw cut.reason;

    // Deterministic cuts: a write, then two reads, each cut while it waits for a table lock.
    const probeEvent: OrderEvent = {
      kind: 'created',
      eventId: 'probe-c',
      externalOrderId: `probe-${seed}`,
      idempotencyKey: 'evt-probe-c',
      placedAt: new Date().toISOString(),
      country: 'US',
      lines: [{ externalLineId: '1', channelSku: 'AMZ-FLT-A', quantity: 1 }],
    };
    const write = await cutter.cutWhileWaitingOn(database.databaseUrl!, 'orders', () => deliver(world, probeEvent));
    if (write.outcome.status === 'fulfilled') acknowledged.push(write.outcome.value);
    else writeProbeFailure = String(write.outcome.reason);
    const probeReads: [table: string, read: () => Promise<unknown>][] = [
      ['products', () => world.seller.inventory.bySkus.query({ skus: stockSkus })],
      ['orders', () => world.seller.orders.list.query({ limit: 20 })],
    ];
    for (const [table, read] of probeReads) {
      const { outcome } = await cutter.cutWhileWaitingOn(database.databaseUrl!, table, read);
      if (outcome.status === 'rejected') readProbeFailures.push(`${table}: ${String(outcome.reason)}`);
    }

    stillUp = server.running;
    problems = await finalStateProblems(world, server, expectedState([...events, probeEvent]), acknowledged);
    serverErrorLines = server.errorLines;
    printFigures('a lost database connection loses nothing (postgres)', {
      seed,
      'events replayed': events.length,
      'acknowledged (with the probe write)': acknowledged.length,
      attempts: stats.attempts,
      'retry-later answers': stats.retryLater,
      'cut windows': cutter.figures.windows,
      'connections cut': cutter.figures.cut,
      'mid-transaction': cutter.figures.midTransaction,
      "during a request's COMMIT": cutter.figures.duringRequestCommit,
      'during a background COMMIT': cutter.figures.duringOtherCommit,
      reads,
      'reads answered with an internal error': readErrors.length,
      'deterministic cuts (a write, two reads) failed': (writeProbeFailure ? 1 : 0) + readProbeFailures.length,
      lost: 0,
    });
  }, scenarioTimeoutMs);

  afterAll(() => cleanup());

  it(`${sizes.cutEvents} order events: every one reflected exactly once, the server up throughout`, () => {
    expect(stillUp, 'the server is still up').toBe(true);
    expect(problems, `seed ${seed} (FAULTS_SEED=${seed} replays it)`).toEqual([]);
    expect(acknowledged, 'the events and the probe write, all acknowledged').toHaveLength(sizes.cutEvents + 1);
    // The cuts did land where it hurts.
    expect(figures?.duringRequestCommit, "connections cut during a request's COMMIT").toBeGreaterThan(0);
    expect(figures?.midTransaction, 'connections cut in the middle of a transaction').toBeGreaterThan(0);
  });

  it('a write cut in its transaction is retried inside, or told to retry with its key: never an internal error', () => {
    expect(writeProbeFailure, 'an ingest cut while it waited for a lock was retried inside and acknowledged').toBeUndefined();
    expect(stats.retryLater, 'writes cut during COMMIT were answered "retry with the same idempotencyKey"').toBeGreaterThan(0);
    expect(serverErrorLines, 'nothing logged as an error').toEqual([]);
  });

  // A query outside a transaction — a read (inventory.bySkus, orders.list) or the token
  // lookup a request makes when its cached token expired — runs once more on another
  // connection (server/src/trpc/init.ts); a second cut is "retry" (TOO_MANY_REQUESTS).
  // The lock-wait cuts above hit two reads every run.
  it('a query outside a transaction whose connection is cut is never an internal error', () => {
    expect(readProbeFailures, 'reads cut while they waited for a lock').toEqual([]);
    expect(readErrors, 'reads during the load').toEqual([]);
    expect(stats.internalErrors, 'writes (their token lookup)').toEqual([]);
  });
});

/** One inventory and one orders query; returns 1, recording an internal error answer if there is one. */
async function readOnce(world: SellerWorld, errors: string[]): Promise<number> {
  try {
    await world.seller.inventory.bySkus.query({ skus: stockSkus });
    await world.seller.orders.list.query({ limit: 20 });
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    if (error.data?.code === 'INTERNAL_SERVER_ERROR') errors.push(error.message);
  }
  return 1;
}
