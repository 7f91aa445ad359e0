import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { Product, Source, productsUpsertInput, sourcesCreateInput, sourcesUpdateInput } from '@onhand/shared';
import { planProductUpsert } from '../domain/catalog';
import { findComponents, findProduct, findProducts, hasStock, isComponentOfAnyBundle, replaceComponents, upsertProductRow } from '../db/repositories/products';
import { findSource, insertSource, lockSources, updateSource } from '../db/repositories/sources';
import { badRequest, notFound } from '../errors';
import type { TenantScope } from './context';
import { rejectionError } from './inventory';
import { idempotent, inTransaction } from './transaction';
import { republish } from './publishing';

export async function upsertProduct(scope: TenantScope, input: z.infer<typeof productsUpsertInput>): Promise<Product> {
  return inTransaction(scope.db, (trx) =>
    idempotent(trx, { tenantId: scope.tenantId, procedure: 'products.upsert', idempotencyKey: input.idempotencyKey, payload: input }, async () => {
      const componentSkus = (input.components ?? []).map((c) => c.sku);
      const [existing, known, stocked, isComponent] = await Promise.all([
        findProduct(trx, scope.tenantId, input.sku),
        findProducts(trx, scope.tenantId, componentSkus),
        hasStock(trx, scope.tenantId, input.sku),
        isComponentOfAnyBundle(trx, scope.tenantId, input.sku),
      ]);
      const decision = planProductUpsert({
        sku: input.sku,
        components: input.components,
        knownComponents: new Map(known.map((p) => [p.sku, { isBundle: p.isBundle }])),
        hasStock: stocked,
        isComponent,
        existing,
      });
      if (!decision.ok) throw rejectionError(decision);
      await upsertProductRow(trx, scope.tenantId, { sku: input.sku, title: input.title, isBundle: decision.value.isBundle });
      if (input.components !== undefined) {
        await replaceComponents(trx, scope.tenantId, input.sku, input.components);
        await republish(trx, scope.tenantId, { skus: [input.sku] });
      }
      const components = await findComponents(trx, scope.tenantId, decision.value.isBundle ? [input.sku] : []);
      return {
        sku: input.sku,
        title: input.title,
        isBundle: decision.value.isBundle,
        components: components.map((c) => ({ sku: c.component_sku, quantity: c.quantity })),
      };
    }),
  );
}

export async function createSource(scope: TenantScope, input: z.infer<typeof sourcesCreateInput>): Promise<Source> {
  return inTransaction(scope.db, (trx) =>
    idempotent(trx, { tenantId: scope.tenantId, procedure: 'sources.create', idempotencyKey: input.idempotencyKey, payload: input }, async () => {
      const existing = await lockSources(trx, scope.tenantId);
      if (existing.some((s) => s.name.toLowerCase() === input.name.toLowerCase())) {
        throw badRequest('name', `a source named ${input.name} already exists`, 'SOURCE_NAME_TAKEN');
      }
      // The first source of a tenant is its default: there is always exactly one.
      const isDefault = existing.length === 0 || input.isDefault === true;
      const previousDefault = existing.find((s) => s.isDefault);
      if (isDefault && previousDefault) await updateSource(trx, scope.tenantId, previousDefault.sourceId, { isDefault: false });
      const source: Source = {
        sourceId: `src_${randomUUID().replaceAll('-', '')}`,
        name: input.name,
        kind: input.kind,
        isDefault,
        autoFulfill: input.autoFulfill ?? false,
        shipsTo: input.shipsTo ?? [],
        priority: input.priority ?? 100,
      };
      await insertSource(trx, scope.tenantId, source);
      return source;
    }),
  );
}

export async function changeSource(scope: TenantScope, input: z.infer<typeof sourcesUpdateInput>): Promise<Source> {
  return inTransaction(scope.db, (trx) =>
    idempotent(trx, { tenantId: scope.tenantId, procedure: 'sources.update', idempotencyKey: input.idempotencyKey, payload: input }, async () => {
      const sources = await lockSources(trx, scope.tenantId);
      const target = sources.find((s) => s.sourceId === input.sourceId);
      if (!target) throw notFound('source', 'sourceId');
      if (input.name !== undefined && sources.some((s) => s.sourceId !== target.sourceId && s.name.toLowerCase() === input.name!.toLowerCase())) {
        throw badRequest('name', `a source named ${input.name} already exists`, 'SOURCE_NAME_TAKEN');
      }
      if (input.isDefault) {
        const previousDefault = sources.find((s) => s.isDefault && s.sourceId !== target.sourceId);
        if (previousDefault) await updateSource(trx, scope.tenantId, previousDefault.sourceId, { isDefault: false });
      }
      await updateSource(trx, scope.tenantId, target.sourceId, {
        name: input.name,
        autoFulfill: input.autoFulfill,
        shipsTo: input.shipsTo ? [...new Set(input.shipsTo)] : undefined,
        priority: input.priority,
        isDefault: input.isDefault,
      });
      const updated = await findSource(trx, scope.tenantId, target.sourceId);
      if (!updated) throw notFound('source', 'sourceId');
      return updated;
    }),
  );
}
