import type { z } from 'zod';
import {
  limits,
  type adjustInput,
  type BySkusOutput,
  type HistoryOutput,
  type InventoryChangeOutput,
  type InventoryItem,
  type SetQuantitiesInput,
  type SetQuantitiesOutput,
  type setQuantityInput,
} from '@onhand/shared';
import { applyMovement, available, checkStockable, planAdjustment, planSetQuantity, type BalanceState } from '../domain/ledger';
import type { Rejection } from '../domain/result';
import { balanceKeyString, balancesForSkus } from '../db/repositories/balances';
import { insertMissingProducts, lockCountedBalances } from '../db/repositories/bulk-stock';
import { claimKey, storeResponse } from '../db/repositories/idempotency';
import { ledgerPage, writeMovements, type NewLedgerEntry } from '../db/repositories/ledger';
import { changeStock } from './stock-changes';
import { findComponents, findProduct, findProducts } from '../db/repositories/products';
import { findSource, listSources } from '../db/repositories/sources';
import { AppError, badRequest, notFound } from '../errors';
import type { TenantScope } from './context';
import { inTransaction, replay, requestHash, withoutKey } from './transaction';
import { republish } from './publishing';

export { rejectionError } from './stock-changes';

/** Every requested SKU with its quantity at every source of the tenant. */
export async function inventoryBySkus(scope: TenantScope, skus: readonly string[]): Promise<BySkusOutput> {
  const unique = [...new Set(skus)];
  const [products, sources, balances] = await Promise.all([
    findProducts(scope.db, scope.tenantId, unique),
    listSources(scope.db, scope.tenantId),
    balancesForSkus(scope.db, scope.tenantId, unique),
  ]);
  const bundles = products.filter((p) => p.isBundle).map((p) => p.sku);
  const components = await findComponents(scope.db, scope.tenantId, bundles);
  const componentBalances = await balancesForSkus(
    scope.db,
    scope.tenantId,
    [...new Set(components.map((c) => c.component_sku))].filter((sku) => !unique.includes(sku)),
  );
  const balanceOf = new Map([...balances, ...componentBalances].map((b) => [balanceKeyString(b), b]));
  const stockAt = (sourceId: string, sku: string): BalanceState => balanceOf.get(balanceKeyString({ sourceId, sku })) ?? { onHand: 0, committed: 0 };

  const bySku = new Map(products.map((p) => [p.sku, p]));
  const items: InventoryItem[] = [];
  for (const sku of unique) {
    const product = bySku.get(sku);
    if (!product) continue;
    const parts = components.filter((c) => c.bundle_sku === sku);
    const perSource = sources.map((source) => {
      if (!product.isBundle) {
        const stock = stockAt(source.sourceId, sku);
        return { sourceId: source.sourceId, sourceName: source.name, kind: source.kind, onHand: stock.onHand, committed: stock.committed, available: available(stock) };
      }
      // A bundle holds nothing itself: it is as many kits as the scarcest
      // component makes at this source.
      const kits = parts.length === 0 ? 0 : Math.min(...parts.map((p) => Math.floor(Math.max(0, available(stockAt(source.sourceId, p.component_sku))) / p.quantity)));
      return { sourceId: source.sourceId, sourceName: source.name, kind: source.kind, onHand: kits, committed: 0, available: kits };
    });
    items.push({
      sku,
      title: product.title,
      isBundle: product.isBundle,
      sources: perSource,
      totalAvailable: perSource.reduce((sum, s) => sum + Math.max(0, s.available), 0),
    });
  }
  return { items, unknownSkus: unique.filter((sku) => !bySku.has(sku)) };
}

type SetQuantityInput = z.infer<typeof setQuantityInput>;
type AdjustInput = z.infer<typeof adjustInput>;

export const setQuantity = (scope: TenantScope, input: SetQuantityInput): Promise<InventoryChangeOutput> =>
  changeStock(scope, { procedure: 'inventory.setQuantity', input, decide: (current) => planSetQuantity(current, input.onHand) });

export const adjustQuantity = (scope: TenantScope, input: AdjustInput): Promise<InventoryChangeOutput> =>
  changeStock(scope, { procedure: 'inventory.adjust', input, decide: (current) => planAdjustment(current, input.delta, input.reason) });

const setQuantitiesProcedure = 'inventory.setQuantities';

/** A rejection of one row of a many-row call, named by the row's index. */
const rowError = (index: number, rejection: Rejection) => badRequest(`rows.${index}.${rejection.field ?? 'sku'}`, rejection.message, rejection.rule);

/**
 * inventory.setQuantities: up to 500 counts at one source, load → decide →
 * write in one transaction and a fixed number of statements: claim the key,
 * load the products (creating new ones that have a title), lock the balances
 * in key order (marking them counted), let the domain plan each count, then
 * write every changed balance with its event and entry in one statement
 * (writeMovements) and republish what changed. A row that changes
 * nothing writes no ledger entry; any bad row refuses the whole call.
 */
export async function setQuantities(scope: TenantScope, input: SetQuantitiesInput): Promise<SetQuantitiesOutput> {
  const hash = requestHash(withoutKey(input));
  return inTransaction(scope.db, async (trx) => {
    const { tenantId } = scope;
    const { sourceId } = input;
    const claim = await claimKey(trx, tenantId, input.idempotencyKey, setQuantitiesProcedure, hash);
    if (!claim.claimed) {
      const first = await replay<SetQuantitiesOutput>(trx, tenantId, input.idempotencyKey, setQuantitiesProcedure, hash);
      return { ...first, replayed: true };
    }
    if (!(await findSource(trx, tenantId, sourceId))) throw notFound('source', 'sourceId');

    const skus = input.rows.map((row) => row.sku);
    const indexOf = new Map(skus.map((sku, index) => [sku, index]));
    const products = new Map((await findProducts(trx, tenantId, skus)).map((p) => [p.sku, p]));
    const missing: { sku: string; title: string }[] = [];
    input.rows.forEach((row, index) => {
      const product = products.get(row.sku);
      if (!product) {
        if (row.title === undefined) {
          throw new AppError('NOT_FOUND', `rows.${index}.sku: product ${row.sku} not found (give the row a title to create it)`, { field: `rows.${index}.sku` });
        }
        missing.push({ sku: row.sku, title: row.title });
        return;
      }
      const stockable = checkStockable(product);
      if (!stockable.ok) throw rowError(index, stockable);
    });
    const created = new Set(await insertMissingProducts(trx, tenantId, missing));
    // A SKU another transaction created between our read and our insert may be a bundle.
    const createdElsewhere = missing.filter((m) => !created.has(m.sku)).map((m) => m.sku);
    for (const product of await findProducts(trx, tenantId, createdElsewhere)) {
      const stockable = checkStockable(product);
      if (!stockable.ok) throw rowError(indexOf.get(product.sku) ?? 0, stockable);
    }

    // Every row is a count, changed or not: the lock records when it was counted.
    const locked = await lockCountedBalances(trx, tenantId, sourceId, skus);
    const touched: { sourceId: string; sku: string; onHand: number; committed: number }[] = [];
    const entries: NewLedgerEntry[] = [];
    const deltas = input.rows.map((row, index) => {
      const current = locked.get(balanceKeyString({ sourceId, sku: row.sku }));
      if (!current) throw new Error(`balance ${sourceId}/${row.sku} was not locked`);
      const decision = planSetQuantity(current, row.onHand);
      if (!decision.ok) throw rowError(index, decision);
      if (decision.value.delta === 0) return 0;
      const { balance, balanceAfter } = applyMovement(current, decision.value);
      touched.push({ sourceId, sku: row.sku, ...balance });
      entries.push({ sourceId, sku: row.sku, ...decision.value, balanceAfter, actor: scope.actor, note: row.note, idempotencyKey: input.idempotencyKey });
      return decision.value.delta;
    });
    const written = await writeMovements(trx, tenantId, touched, entries);
    if (touched.length > 0) await republish(trx, tenantId, { skus: touched.map((t) => t.sku) });

    const entryIdOf = new Map(written.map((entry) => [entry.sku, entry.id]));
    const output: SetQuantitiesOutput = {
      rows: input.rows.map((row, index) => ({ sku: row.sku, onHand: row.onHand, delta: deltas[index] ?? 0, entryId: entryIdOf.get(row.sku) ?? null })),
      entriesWritten: written.length,
      productsCreated: created.size,
      replayed: false,
    };
    await storeResponse(trx, tenantId, input.idempotencyKey, output);
    return output;
  });
}

export async function inventoryHistory(
  scope: TenantScope,
  input: { sku: string; sourceId?: string | undefined; cursor?: string | undefined; limit?: number | undefined },
): Promise<HistoryOutput> {
  const limit = input.limit ?? limits.historyPageDefault;
  let beforeId: number | undefined;
  if (input.cursor !== undefined) {
    beforeId = Number(input.cursor);
    if (!/^[1-9][0-9]{0,15}$/.test(input.cursor)) throw badRequest('cursor', 'is not a cursor this API returned');
  }
  const product = await findProduct(scope.db, scope.tenantId, input.sku);
  if (!product) throw notFound('product', 'sku');
  if (input.sourceId !== undefined && !(await findSource(scope.db, scope.tenantId, input.sourceId))) throw notFound('source', 'sourceId');
  const entries = await ledgerPage(scope.db, scope.tenantId, { sku: input.sku, sourceId: input.sourceId, beforeId, limit: limit + 1 });
  const page = entries.slice(0, limit);
  return { entries: page, nextCursor: entries.length > limit ? (page[page.length - 1]?.id ?? null) : null };
}
