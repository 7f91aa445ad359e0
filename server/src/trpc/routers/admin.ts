import { reconcileInput, tenantsCreateInput, tenantsResumeInput, tenantsSuspendInput, tokensIssueInput, tokensRevokeInput } from '@onhand/shared';
import { z } from 'zod';
import { idSchema } from '@onhand/shared';
import { createTenant, issueToken, reconcile, revokeTokenById, setTenantSuspended, tenantsList, tokensList } from '../../usecases/admin';
import { metricsSnapshot } from '../../usecases/admin-metrics';
import { adminProcedure, router } from '../init';

export const adminRouter = router({
  tenants: router({
    create: adminProcedure.input(tenantsCreateInput).mutation(({ ctx, input }) => createTenant(ctx.db, input.name)),
    list: adminProcedure.query(async ({ ctx }) => ({ tenants: await tenantsList(ctx.db) })),
    /** The tenant's seller tokens are refused from the next request on; nothing is deleted. */
    suspend: adminProcedure.input(tenantsSuspendInput).mutation(({ ctx, input }) => setTenantSuspended(ctx.db, input.tenantId, true)),
    resume: adminProcedure.input(tenantsResumeInput).mutation(({ ctx, input }) => setTenantSuspended(ctx.db, input.tenantId, false)),
  }),
  tokens: router({
    issue: adminProcedure.input(tokensIssueInput).mutation(({ ctx, input }) => issueToken(ctx.db, input)),
    list: adminProcedure
      .input(z.strictObject({ tenantId: idSchema.optional() }).optional())
      .query(async ({ ctx, input }) => ({ tokens: await tokensList(ctx.db, input?.tenantId) })),
    revoke: adminProcedure.input(tokensRevokeInput).mutation(({ ctx, input }) => revokeTokenById(ctx.db, input.tokenId)),
  }),
  reconcile: adminProcedure.input(reconcileInput).mutation(({ ctx, input }) => reconcile(ctx.db, input ?? {})),
  /** The same figures as GET /metrics, as JSON. */
  metrics: adminProcedure.input(z.strictObject({}).optional()).query(({ ctx }) => metricsSnapshot(ctx.db, ctx.feed?.subscriberCount ?? 0)),
});
