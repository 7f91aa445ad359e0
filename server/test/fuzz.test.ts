import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { maxBodyBytes } from '../src/http/request-limits';
import type { TestDatabase } from '../src/testing';
import { apiAs, createAdmin, databaseKinds, freshDatabase, type Api } from './support/harness';
import { hostileInputs, preview, type HostileCase } from './support/fuzz-arbitraries';
import { buildFuzzFixture, validExamples, type FuzzFixture } from './support/fuzz-examples';
import { callInProcess, DatabaseWatch, databaseDigest, fuzzProcedures, type FuzzProcedure, type Outcome } from './support/fuzz-procedures';
import { errorOf, jsonText, postCall, startTestServer, type TestServer } from './support/fuzz-server';
import { problemsWith, prototypeFingerprint } from './support/fuzz-verdict';

/**
 * Hostile input to every procedure of the API (read from the router, so a
 * new procedure is covered the day it is added): never an internal error,
 * never a write when the input is refused, always a clear message naming
 * the field. FUZZ_RUNS (cases per procedure, default 40) runs more;
 * FUZZ_SEED replays a run.
 */
const runsPerProcedure = Number(process.env.FUZZ_RUNS ?? 40);
const httpRunsPerProcedure = Math.max(3, Math.round(runsPerProcedure / 5));
const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

/** Bodies no JSON client would send. */
const brokenBodies = ['{', '{"sku": ', 'nul', '[1, 2', '"unterminated', 'NaN', '\u0000', '{"a": 1} trailing'];

function report(procedure: FuzzProcedure, hostile: HostileCase, input: unknown, outcome: Outcome, problems: string[]): Error {
  return new Error(`${procedure.path}, ${hostile.how}: ${problems.join('; ')}\n  input: ${preview(input)}\n  answered: ${outcome.code} ${outcome.message.slice(0, 300)}`);
}

describe.each(databaseKinds)('hostile input on %s', (kind) => {
  const tried = { inProcess: 0, http: 0 };

  describe('in-process (the API without HTTP)', () => {
    let db: TestDatabase;
    let fixture: FuzzFixture;
    let examples: Record<string, unknown>;
    const tokenFor = (procedure: FuzzProcedure) => (procedure.caller === 'admin' ? fixture.adminToken : procedure.caller === 'seller' ? fixture.seller.token : null);

    beforeAll(async () => {
      db = await freshDatabase(kind);
      const admin = await createAdmin(db);
      const adminToken = (await admin.admin.tokens.issue({ role: 'admin', label: 'fuzz admin' })).token;
      fixture = await buildFuzzFixture(admin, adminToken, (token) => apiAs(db, token));
      examples = validExamples(fixture);
    });
    afterAll(async () => db?.close());

    it('has a valid example for every procedure that takes input, and none for a procedure that is gone', () => {
      const missing = fuzzProcedures.filter((p) => p.schema && !(p.path in examples)).map((p) => p.path);
      expect(missing, 'procedures without a valid example in test/support/fuzz-examples.ts').toEqual([]);
      const stale = Object.keys(examples).filter((path) => !fuzzProcedures.some((p) => p.path === path));
      expect(stale).toEqual([]);
      for (const procedure of fuzzProcedures) {
        if (!procedure.schema) continue;
        const parsed = procedure.schema.safeParse(examples[procedure.path]);
        expect(parsed.success ? 'valid' : parsed.error.message, procedure.path).toBe('valid');
      }
    });

    it('sees a write when there is one (so "writes nothing" below is not vacuous)', async () => {
      const watch = new DatabaseWatch(db.db);
      const before = await watch.current();
      expect(await watch.current()).toBe(before);
      const seller = apiAs(db, fixture.seller.token);
      await seller.inventory.adjust({ sku: 'FZ-2', sourceId: fixture.sources.FBA, delta: 1, reason: 'found', idempotencyKey: 'watch-canary' });
      expect(await watch.current()).not.toBe(before);
    });

    it.each(fuzzProcedures.map((p) => [p.path, p] as const))('%s: refuses hostile input cleanly and writes nothing', async (_path, procedure) => {
      const api: Api = apiAs(db, tokenFor(procedure));
      const watch = new DatabaseWatch(db.db);
      let digest = await watch.current();
      const prototypeBefore = prototypeFingerprint();
      await fc.assert(
        fc.asyncProperty(hostileInputs(examples[procedure.path], { json: false }), async (hostile) => {
          tried.inProcess += 1;
          const outcome = await callInProcess(api, procedure.path, hostile.input);
          const digestAfter = await watch.current();
          const problems = problemsWith({ procedure, input: hostile.input, outcome, digestBefore: digest, digestAfter });
          if (prototypeFingerprint() !== prototypeBefore) problems.push('Object.prototype was changed');
          digest = digestAfter;
          if (problems.length) throw report(procedure, hostile, hostile.input, outcome, problems);
        }),
        { numRuns: runsPerProcedure, seed },
      );
    });
  });

  describe('over real HTTP (a sample)', () => {
    let running: TestServer;
    let fixture: FuzzFixture;
    let examples: Record<string, unknown>;
    const tokenFor = (procedure: FuzzProcedure) => (procedure.caller === 'admin' ? fixture.adminToken : procedure.caller === 'seller' ? fixture.seller.token : undefined);

    beforeAll(async () => {
      running = await startTestServer(kind);
      const inProcess = (token: string) => apiAs({ db: running.server.db } as TestDatabase, token);
      fixture = await buildFuzzFixture(inProcess(running.adminToken), running.adminToken, inProcess);
      examples = validExamples(fixture);
    });
    afterAll(async () => running?.close());

    // Subscriptions are event streams (SSE): they are fuzzed in-process above.
    const overHttp = fuzzProcedures.filter((p) => p.type !== 'subscription');

    async function send(procedure: FuzzProcedure, body: string | undefined) {
      const answer = await postCall(running.server.url, procedure.path, body, tokenFor(procedure));
      const error = errorOf(answer);
      const outcome: Outcome = answer.status === 200 ? { code: 'OK', message: '' } : { code: error?.data.code ?? `HTTP ${answer.status} without an API error`, message: error?.message ?? '' };
      if (answer.status >= 500) outcome.code = 'INTERNAL_SERVER_ERROR';
      return { answer, error, outcome };
    }

    it.each(overHttp.map((p) => [p.path, p] as const))('%s: refuses hostile JSON cleanly and writes nothing', async (_path, procedure) => {
      const watch = new DatabaseWatch(running.server.db);
      let digest = await watch.current();
      await fc.assert(
        fc.asyncProperty(hostileInputs(examples[procedure.path], { json: true }), async (hostile) => {
          tried.http += 1;
          const body = hostile.input === undefined ? undefined : jsonText(hostile.input);
          // What the server parses: JSON turns NaN into null, drops undefined keys.
          const received = body === undefined ? undefined : (JSON.parse(body) as unknown);
          const { error, outcome } = await send(procedure, body);
          const digestAfter = await watch.current();
          const problems = problemsWith({
            procedure,
            input: received,
            outcome,
            namedFields: error?.data.fields?.map((f) => f.path),
            namedRule: (error?.data as { rule?: string } | undefined)?.rule,
            digestBefore: digest,
            digestAfter,
          });
          if (outcome.code === 'PAYLOAD_TOO_LARGE' && Buffer.byteLength(body ?? '') <= maxBodyBytes) problems.push('PAYLOAD_TOO_LARGE for a body within the limit');
          digest = digestAfter;
          if (problems.length) throw report(procedure, hostile, received, outcome, problems);
        }),
        { numRuns: httpRunsPerProcedure, seed },
      );
    });

    it('answers a body that is not JSON with BAD_REQUEST naming the body, for every procedure that takes input', async () => {
      const digest = await databaseDigest(running.server.db);
      for (const procedure of overHttp.filter((p) => p.schema)) {
        for (const body of brokenBodies) {
          tried.http += 1;
          const { answer, error } = await send(procedure, body);
          expect({ path: procedure.path, body, status: answer.status, code: error?.data.code, fields: error?.data.fields?.map((f) => f.path) }).toEqual({
            path: procedure.path,
            body,
            status: 400,
            code: 'BAD_REQUEST',
            fields: ['(body)'],
          });
          expect(error?.message).toMatch(/^request body: not valid JSON/);
        }
      }
      expect(await databaseDigest(running.server.db)).toBe(digest);
    });
  });

  afterAll(() => {
    // The figure docs/reliability.md quotes: hostile cases tried in this run.
    console.info(`fuzz on ${kind}: ${tried.inProcess} hostile inputs in-process, ${tried.http} over HTTP (${fuzzProcedures.length} procedures, FUZZ_RUNS=${runsPerProcedure})`);
  });
});
