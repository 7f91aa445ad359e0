import { inject } from 'vitest';
import { pino } from 'pino';
import type { DatabaseKind } from '../../src/db/connect';
import { openTestDatabase, readPgliteTemplate, testDatabaseKinds, type TestDatabase } from '../../src/testing';
import { appRouter } from '../../src/trpc/router';
import { createCallerFactory } from '../../src/trpc/init';
import { createTenant, issueToken } from '../../src/usecases/admin';

export const databaseKinds = testDatabaseKinds();

let template: Promise<Blob> | undefined;

export async function freshDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  template ??= readPgliteTemplate(inject('pgliteTemplateFile'));
  return openTestDatabase(kind, kind === 'pglite' ? await template : undefined);
}

const createCaller = createCallerFactory(appRouter);
const silent = pino({ level: 'silent' });

/** The API as a client sees it (auth, validation, errors), without HTTP. */
// A context per call, as HTTP makes one per request (auth is memoised per context).
export const apiAs = (db: TestDatabase, token: string | null) => createCaller(() => ({ db: db.db, log: silent, bearerToken: token }));
export type Api = ReturnType<typeof apiAs>;

export interface SellerFixture {
  tenantId: string;
  token: string;
  api: Api;
  sources: { MF: string; FBA: string; Deliverr: string };
}

/** A tenant with a seller token and the usual three sources. */
export async function createSeller(db: TestDatabase, name = 'Seller'): Promise<SellerFixture> {
  const { tenantId } = await createTenant(db.db, name);
  const { token } = await issueToken(db.db, { tenantId, role: 'seller', label: `${name} token` });
  const api = apiAs(db, token);
  const mf = await api.sources.create({ name: 'MF', kind: 'merchant', isDefault: true, idempotencyKey: 'src-mf' });
  const fba = await api.sources.create({ name: 'FBA', kind: 'fba', autoFulfill: true, shipsTo: ['US'], idempotencyKey: 'src-fba' });
  const deliverr = await api.sources.create({ name: 'Deliverr', kind: 'deliverr', idempotencyKey: 'src-deliverr' });
  return { tenantId, token, api, sources: { MF: mf.sourceId, FBA: fba.sourceId, Deliverr: deliverr.sourceId } };
}

export async function createAdmin(db: TestDatabase): Promise<Api> {
  const { token } = await issueToken(db.db, { role: 'admin', label: 'test admin' });
  return apiAs(db, token);
}
