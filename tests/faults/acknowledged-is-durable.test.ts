import { describe, expect, it } from 'vitest';
import { newRetryStats } from './support/api';
import { finalStateProblems } from './support/final-state';
import { replayUntilAcknowledged, setUpSeller, type Acknowledgement } from './support/marketplace-sender';
import { expectedState, mulberry32, orderEvents } from './support/order-events';
import { databaseKinds, freshDatabase, printFigures, scenarioTimeoutMs, seed, senders, sizes } from './support/run-settings';
import { ServerProcess, sleep } from './support/server-process';

/**
 * Issue 9, "Acknowledged means durable": a marketplace sender replays order
 * events (duplicates, cancels before their orders, random order) and retries
 * each until onhand acknowledges it, while the server process is SIGKILLed at
 * random moments and started again on the same database. Every acknowledged
 * event must then be reflected exactly once, no order may be partial, the
 * ledger must explain every balance, and the state must equal the model.
 */
describe.each(databaseKinds())('acknowledged means durable (%s)', (kind) => {
  const kills = sizes.kills[kind];
  it(`${sizes.sigkillEvents} order events survive ${kills} SIGKILLs and restarts`, async () => {
    const database = await freshDatabase(kind);
    const server = await ServerProcess.start(database);
    try {
      const world = await setUpSeller(server.url, server.adminToken);
      const events = orderEvents(sizes.sigkillEvents, seed);
      const stats = newRetryStats();
      const acknowledged: Acknowledgement[] = [];
      const random = mulberry32(seed + 1);

      let replayDone = false;
      const injectorFailed = new AbortController();
      const replay = replayUntilAcknowledged(world, events, { concurrency: senders, stats, acknowledged, signal: injectorFailed.signal }).finally(() => {
        replayDone = true;
      });
      // Kill points spread over the run (by events acknowledged so far, so every kill lands while events are still being sent), each after a random extra delay.
      const killPoints = Array.from({ length: kills }, () => Math.floor((0.02 + 0.88 * random()) * events.length)).sort((a, b) => a - b);
      let secondsDown = 0;
      const startedAt = performance.now();
      let replayedAt = 0;
      const killsDuringReplay = (async () => {
        let killsWhileSending = 0;
        for (const point of killPoints) {
          while (acknowledged.length < point && !replayDone) await sleep(10);
          if (replayDone) break;
          await sleep(random() * 100);
          if (!replayDone) killsWhileSending += 1;
          const killedAt = performance.now();
          await server.kill();
          await server.start();
          secondsDown += (performance.now() - killedAt) / 1000;
        }
        return killsWhileSending;
      })().catch((error: unknown) => {
        injectorFailed.abort(error);
        throw error;
      });
      // Both settle before anything else happens (a failed replay must not leave the killer restarting the server).
      const [replayed, killed] = await Promise.allSettled([replay, killsDuringReplay]);
      if (killed.status === 'rejected') throw killed.reason;
      if (replayed.status === 'rejected') throw replayed.reason;
      const killsWhileSending = killed.value;
      replayedAt = performance.now();
      // Once more after the last acknowledgement: anything acknowledged but only held in memory is lost now.
      await server.kill();
      await server.start();

      const problems = await finalStateProblems(world, server, expectedState(events), acknowledged);
      expect(problems, `seed ${seed} (FAULTS_SEED=${seed} replays it)`).toEqual([]);
      expect(stats.internalErrors, 'no internal error answers').toEqual([]);
      expect(acknowledged).toHaveLength(events.length);
      expect(server.kills).toBeGreaterThan(kills);
      expect(killsWhileSending, 'kills that landed while events were being sent').toBe(kills);
      printFigures(`acknowledged means durable (${kind})`, {
        seed,
        'events replayed': events.length,
        acknowledged: acknowledged.length,
        attempts: stats.attempts,
        'unanswered attempts': stats.unanswered,
        'retry-later answers': stats.retryLater,
        'SIGKILLs survived': server.kills,
        'while sending': killsWhileSending,
        orders: expectedState(events).orders.size,
        lost: 0,
        // Where the time goes (figures, not targets): restarts are the embedded database's cost.
        'seconds replaying': Math.round((replayedAt - startedAt) / 1000),
        'of which the server was down': Math.round(secondsDown),
      });
    } finally {
      await server.stop();
      await database.drop();
    }
  }, scenarioTimeoutMs);
});
