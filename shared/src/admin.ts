import { z } from 'zod';
import { limits } from './limits';
import { idSchema, text } from './common';

export const roleSchema = z.enum(['seller', 'admin']);
export type Role = z.infer<typeof roleSchema>;

export const tenantsCreateInput = z.strictObject({ name: text(limits.nameLengthMax) });
export const tokensIssueInput = z.strictObject({
  tenantId: idSchema.optional(),
  role: roleSchema,
  label: text(limits.nameLengthMax),
});
export const tokensRevokeInput = z.strictObject({ tokenId: idSchema });
export const reconcileInput = z.strictObject({ tenantId: idSchema.optional() }).optional();

export const reconcileMismatchSchema = z.object({
  tenantId: z.string(),
  sourceId: z.string(),
  sku: z.string(),
  bucket: z.enum(['on_hand', 'committed']),
  balance: z.number().int(),
  ledgerSum: z.number().int(),
});
export type ReconcileMismatch = z.infer<typeof reconcileMismatchSchema>;
