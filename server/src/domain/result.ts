/**
 * A domain decision: either the value to write, or a rejection named after
 * the rule that refused it (and the input field it is about, when there is
 * one). Rejections are values, not exceptions: the use-case maps them to an
 * API error after rolling back.
 */
export interface Rejection<Rule extends string = string> {
  ok: false;
  rule: Rule;
  field?: string;
  message: string;
}

export type Decision<T, Rule extends string = string> = { ok: true; value: T } | Rejection<Rule>;

export const accept = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

export const reject = <Rule extends string>(rule: Rule, message: string, field?: string): Rejection<Rule> =>
  field === undefined ? { ok: false, rule, message } : { ok: false, rule, message, field };
