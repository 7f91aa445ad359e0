import { reconcileInput, tenantsCreateInput, tokensIssueInput, tokensRevokeInput } from '@onhand/shared';
import { z } from 'zod';
import { idSchema } from '@onhand/shared';
import { createTenant, issueToken, reconcile, revokeTokenById, tenantsList, tokensList } from '../../usecases/admin';
import { adminProcedure, router } from '../init';

export const adminRouter = router({
  tenants: router({
    create: adminProcedure.input(tenantsCreateInput).mutation(({ ctx, input }) => createTenant(ctx.db, input.name)),
    list: adminProcedure.query(async ({ ctx }) => ({ tenants: await tenantsList(ctx.db) })),
  }),
  tokens: router({
    issue: adminProcedure.input(tokensIssueInput).mutation(({ ctx, input }) => issueToken(ctx.db, input)),
    list: adminProcedure
      .input(z.strictObject({ tenantId: idSchema.optional() }).optional())
      .query(async ({ ctx, input }) => ({ tokens: await tokensList(ctx.db, input?.tenantId) })),
    revoke: adminProcedure.input(tokensRevokeInput).mutation(({ ctx, input }) => revokeTokenById(ctx.db, input.tokenId)),
  }),
  reconcile: adminProcedure.input(reconcileInput).mutation(({ ctx, input }) => reconcile(ctx.db, input?.tenantId)),
});
