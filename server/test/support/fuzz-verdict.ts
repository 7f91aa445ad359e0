import type { FuzzProcedure, Outcome } from './fuzz-procedures';
import { changedTables, expectedFieldPaths } from './fuzz-procedures';

/** Codes a call with valid input may end with: the domain said no, or it did not find what was named. */
const validInputOutcomes = new Set(['OK', 'BAD_REQUEST', 'NOT_FOUND', 'CONFLICT', 'FORBIDDEN', 'PRECONDITION_FAILED']);

/**
 * Queries that write on purpose when they succeed: a page lookup records the
 * quantity the portal displayed when it differs from the published one
 * (`listing_drift`, for the "needs attention" list).
 */
const queriesThatRecord = new Set(['listings.lookup']);

/** How long a refusal's message may be: it names fields, it does not echo megabytes of input back. */
export const messageLengthMax = 2000;

export interface Observed {
  procedure: FuzzProcedure;
  /** The input as the server received it (after JSON, over HTTP). */
  input: unknown;
  outcome: Outcome;
  /** The field paths and rule a refusal named (the HTTP error's data); undefined in-process, where the message and cause carry them. */
  namedFields?: string[] | undefined;
  namedRule?: string | undefined;
  digestBefore: string;
  digestAfter: string;
}

/**
 * Everything wrong with how the API answered one hostile input; empty when
 * it answered as it must: never an internal error, invalid input refused as
 * BAD_REQUEST naming a field it really is about, nothing written by a
 * refusal or a query, always a message of sensible length.
 */
export function problemsWith({ procedure, input, outcome, namedFields, namedRule, digestBefore, digestAfter }: Observed): string[] {
  const problems: string[] = [];
  const { code, message } = outcome;
  if (code === 'INTERNAL_SERVER_ERROR' || code.startsWith('not an API error')) {
    const cause = outcome.cause instanceof Error ? `${outcome.cause.name}: ${outcome.cause.message}` : String(outcome.cause ?? '');
    problems.push(`internal error: ${message} ${cause}`.trim());
  }
  const expectedPaths = procedure.schema ? expectedFieldPaths(procedure.schema, input) : undefined;
  if (expectedPaths) {
    if (code !== 'BAD_REQUEST' && code !== 'PAYLOAD_TOO_LARGE') problems.push(`invalid input answered ${code}, not BAD_REQUEST (schema says: ${expectedPaths.join(', ')})`);
    if (code === 'BAD_REQUEST') {
      const named = namedFields ?? expectedPaths.filter((path) => message.includes(`${path}: `));
      if (!named.some((path) => expectedPaths.includes(path))) problems.push(`the refusal names none of the failing fields ${expectedPaths.join(', ')}: ${message.slice(0, 200)}`);
    }
  } else if (!validInputOutcomes.has(code) && !problems.length) {
    problems.push(`valid input answered ${code}: ${message}`);
  } else if (code === 'BAD_REQUEST') {
    // Valid as input, refused by a domain rule: the refusal names the field or the rule.
    const details = (outcome.cause as { details?: { field?: string; rule?: string } } | undefined)?.details;
    if (!details?.field && !details?.rule && !namedFields?.length && !namedRule) problems.push(`a refusal that names no field or rule: ${message.slice(0, 200)}`);
  }
  if (code !== 'OK') {
    if (!message.trim()) problems.push(`${code} without a message`);
    if (message.length > messageLengthMax) problems.push(`a ${message.length}-character message: ${message.slice(0, 120)}…`);
    if (digestAfter !== digestBefore) problems.push(`refused (${code}) but wrote: ${changedTables(digestBefore, digestAfter).join(', ')}`);
  }
  if (procedure.type === 'query' && !queriesThatRecord.has(procedure.path) && digestAfter !== digestBefore) problems.push(`a query wrote: ${changedTables(digestBefore, digestAfter).join(', ')}`);
  return problems;
}

/** Object.prototype as it is now, to see whether a call polluted it. */
export function prototypeFingerprint(): string {
  return Object.getOwnPropertyNames(Object.prototype).sort().join(',');
}
