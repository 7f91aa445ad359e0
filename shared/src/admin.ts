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
export const tenantsSuspendInput = z.strictObject({ tenantId: idSchema });
export const tenantsResumeInput = tenantsSuspendInput;

/** `repair` rewrites published quantities that disagree with the rules; the ledger is never repaired. */
export const reconcileInput = z.strictObject({ tenantId: idSchema.optional(), repair: z.boolean().optional() }).optional();

export const reconcileMismatchSchema = z.object({
  tenantId: z.string(),
  sourceId: z.string(),
  sku: z.string(),
  bucket: z.enum(['on_hand', 'committed']),
  balance: z.number().int(),
  ledgerSum: z.number().int(),
});
export type ReconcileMismatch = z.infer<typeof reconcileMismatchSchema>;

/** A listing whose recorded published quantity (`listing_pushes.desired`) is not what the rules give now. */
export const publishingMismatchSchema = z.object({
  tenantId: z.string(),
  listingId: z.string(),
  sku: z.string(),
  /** What the outbox holds; null when the listing has no published quantity recorded. */
  recorded: z.number().int().nullable(),
  expected: z.number().int(),
});
export type PublishingMismatch = z.infer<typeof publishingMismatchSchema>;

export const reconcileOutput = z.object({
  checked: z.number().int(),
  mismatches: z.array(reconcileMismatchSchema),
  publishing: z.object({
    checked: z.number().int(),
    mismatches: z.array(publishingMismatchSchema),
    repaired: z.number().int(),
  }),
});
export type ReconcileOutput = z.infer<typeof reconcileOutput>;

/** GET /admin/ledger.jsonl query: one tenant's entries with from <= at < to, oldest first. */
export const ledgerExportQuery = z.strictObject({
  tenantId: idSchema,
  from: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
  to: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' }).optional(),
});
export type LedgerExportQuery = z.infer<typeof ledgerExportQuery>;

export const ledgerExportPath = '/admin/ledger.jsonl';
