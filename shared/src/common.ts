import { z } from 'zod';
import { limits } from './limits';

// Control characters (C0, DEL, C1) and line/paragraph separators never belong
// in an identifier or a label: they break CSVs, logs and portal matching.
// eslint-disable-next-line no-control-regex
const controlChars = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

// A lone surrogate is not Unicode: PostgreSQL refuses it in JSON and drivers
// store it as U+FFFD in text (two different SKUs would become one).
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (v: string) => !loneSurrogate.test(v);
const wellFormedMessage = 'must be well-formed Unicode (no lone surrogates)';

export const text = (max: number) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !controlChars.test(v), 'must not contain control characters')
    .refine(wellFormed, wellFormedMessage);

/**
 * Free text that may be empty or hold line breaks (notes, search queries,
 * page titles), but nothing the database cannot store: no NUL character
 * (PostgreSQL text cannot hold it), no lone surrogate.
 */
export const freeText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !v.includes('\u0000'), 'must not contain NUL characters')
    .refine(wellFormed, wellFormedMessage);

export const skuSchema = text(limits.skuLengthMax).refine(
  (v) => v.trim() === v,
  'must not start or end with whitespace',
);

export const idSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(100, 'must be at most 100 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an id');

export const idempotencyKeySchema = text(limits.idempotencyKeyLengthMax);

export const quantitySchema = z
  .number()
  .int('must be an integer')
  .min(0, 'must not be negative')
  .max(limits.quantityMax, `must be at most ${limits.quantityMax}`);

export const deltaSchema = z
  .number()
  .int('must be an integer')
  .min(-limits.quantityMax, `must be at least -${limits.quantityMax}`)
  .max(limits.quantityMax, `must be at most ${limits.quantityMax}`)
  .refine((v) => v !== 0, 'must not be zero');

export const noteSchema = freeText(limits.noteLengthMax);

export const sourceKindSchema = z.enum(['merchant', 'fba', 'deliverr', '3pl']);
export type SourceKind = z.infer<typeof sourceKindSchema>;

/** ISO 3166-1 alpha-2, upper case. */
export const countrySchema = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code');
