import fc from 'fast-check';

/**
 * Hostile input for the API, as fast-check arbitraries: wrong types, numbers
 * at and past every edge, strings that break naive text handling, deep
 * nesting, prototype-pollution keys, oversized strings and arrays, extra
 * keys. `json` restricts values to what JSON can carry (for real HTTP).
 */
export interface HostileOptions {
  json: boolean;
}

/** Strings that have broken text handling somewhere: encodings, parsers, databases, terminals. */
export const edgeStrings: readonly string[] = [
  '',
  ' ',
  '  padded  ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  'a\uDC00b',
  'x\uD83D',
  '\u202Eevil\u202C',
  '\u05E9\u05DC\u05D5\u05DD',
  '\u200B',
  'SKU\u200B1',
  '\uFEFFSKU',
  'e\u0301',
  '\u{1F44D}\u{1F3FD}',
  '\u{1D54A}\u{1D542}\u{1D54C}',
  '\uFFFF',
  '\uFFFE',
  'İı',
  'ß',
  '\r\n',
  '\t',
  '\u2028',
  '\u0085',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x1F',
  '9007199254740993',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  "'; drop table balances; --",
  '%00%s%n',
  '../../etc/passwd',
  '<img src=x onerror=alert(1)>',
  '${process.exit()}',
  '\\',
  '"',
];

export const pollutionKeys: readonly string[] = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', ''];

/** Lengths just past each string limit of the API, and far past them. */
const oversizedLengths = [201, 256, 301, 501, 1001, 100_001, 1_100_000] as const;
/** Element counts just past each array limit of the API, and far past them. */
const oversizedCounts = [51, 101, 201, 251, 501, 5001] as const;

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const controlChar = fc.integer({ min: 0, max: 0x9f }).filter((code) => code < 0x20 || code >= 0x7f).map((code) => String.fromCharCode(code));
const invisible = fc.constantFrom('\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u202A', '\u202B', '\u202D', '\u202E', '\u2066', '\u2067', '\u2069', '\u00AD');

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...edgeStrings) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: fc.oneof(loneSurrogate, controlChar, invisible, fc.constantFrom('a', '1', ' ', '\u05D0')), minLength: 1, maxLength: 12 }) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...oversizedLengths), fc.constantFrom('x', 'é', '\u{1F600}', '\u200B')).map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length))) },
);

const edgeNumbers = [
  NaN,
  Infinity,
  -Infinity,
  -0,
  0.5,
  -1,
  1e21,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  Number.MIN_VALUE,
  Number.MAX_SAFE_INTEGER + 2,
  -(2 ** 31) - 1,
  2 ** 31,
  2 ** 63,
  10_000_001,
  -10_000_001,
  100_001,
  3651,
];

export function hostileNumber(options: HostileOptions): fc.Arbitrary<unknown> {
  const numbers = fc.oneof(fc.constantFrom(...edgeNumbers), fc.double(), fc.integer());
  return options.json ? numbers : fc.oneof(numbers, fc.bigInt());
}

/** A leaf of the wrong type (or the right type with a hostile value). */
export function hostileScalar(options: HostileOptions): fc.Arbitrary<unknown> {
  const jsonLeaves = fc.oneof(hostileString, hostileNumber(options), fc.boolean(), fc.constant(null));
  if (options.json) return jsonLeaves;
  // Values an in-process caller can pass that JSON cannot carry.
  return fc.oneof({ weight: 6, arbitrary: jsonLeaves }, fc.constant(undefined), fc.date(), fc.constant(Symbol('hostile')), fc.constant(() => 'called'));
}

/** Sets an own property, even `__proto__` (an assignment would change the prototype instead). */
export function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const hostileKey = fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...pollutionKeys) }, hostileString, fc.constantFrom('sku', 'idempotencyKey', 'rows', 'tenantId', 'onHand'));

function objectOf(keys: fc.Arbitrary<string>, values: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.array(fc.tuple(keys, values), { maxLength: 4 }).map((entries) => {
    const built: Record<string, unknown> = {};
    for (const [key, value] of entries) defineOwn(built, key, value);
    return built;
  });
}

/** Nesting far deeper than any schema: arrays or objects, thousands of levels. */
export const deepNesting: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 100, max: 5000 }), fc.constantFrom('array', 'object', 'proto'))
  .map(([depth, kind]) => {
    let value: unknown = 'bottom';
    for (let level = 0; level < depth; level += 1) {
      if (kind === 'array') value = [value];
      else {
        const wrapper: Record<string, unknown> = {};
        defineOwn(wrapper, kind === 'proto' ? '__proto__' : 'a', value);
        value = wrapper;
      }
    }
    return value;
  });

/** Any hostile value: a scalar, a small structure of them, or deep nesting. */
export function hostileValue(options: HostileOptions): fc.Arbitrary<unknown> {
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 6, arbitrary: hostileScalar(options) },
      { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
      { weight: 1, arbitrary: objectOf(hostileKey, tie('value')) },
    ),
  }));
  return fc.oneof({ weight: 8, arbitrary: value }, { weight: 1, arbitrary: deepNesting });
}

type Path = (string | number)[];

/** Every place in a JSON-like value (the root too), so a mutation can pick one. */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  const paths: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((item, index) => paths.push(...pathsOf(item, [...prefix, index])));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...prefix, key]));
  }
  return paths;
}

function at(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((current, key) => (current as Record<string | number, unknown>)[key], value);
}

/** A copy of `root` with `change` applied to the value at `path` (the change returns the replacement, or `deleteMarker`). */
const deleteMarker = Symbol('delete');
function withChange(root: unknown, path: Path, change: (current: unknown) => unknown): unknown {
  const copy = structuredClone(root);
  if (path.length === 0) return change(copy);
  const parent = at(copy, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1]!;
  const replacement = change((parent as Record<string | number, unknown>)[key]);
  if (replacement === deleteMarker) {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete (parent as Record<string, unknown>)[key as string];
  } else if (Array.isArray(parent)) parent[Number(key)] = replacement;
  else defineOwn(parent as Record<string, unknown>, String(key), replacement);
  return copy;
}

export interface HostileCase {
  /** How the input was made, for a failure report. */
  how: string;
  input: unknown;
}

/** fast-check prints a counterexample with this (a hostile input may be megabytes long or thousands of levels deep). */
function printable(hostile: HostileCase): HostileCase {
  return Object.assign(hostile, { [fc.toStringMethod]: () => `${hostile.how}: ${preview(hostile.input)}` });
}

/**
 * Inputs made from a valid example by one hostile change at one place:
 * a hostile value, a missing key, an extra (or prototype-polluting) key, an
 * oversized string or array; or the whole input replaced.
 */
export function hostileInputs(example: unknown, options: HostileOptions): fc.Arbitrary<HostileCase> {
  const whole = hostileValue(options).map((input) => printable({ how: 'whole input replaced', input }));
  if (example === undefined) return whole;
  const paths = pathsOf(example);
  const mutation = fc.constantFrom(...paths).chain((path): fc.Arbitrary<HostileCase> => {
    const where = path.length ? path.join('.') : '(input)';
    const current = at(example, path);
    const changes: fc.Arbitrary<HostileCase>[] = [hostileValue(options).map((value) => ({ how: `${where} replaced`, input: withChange(example, path, () => value) }))];
    if (path.length > 0) changes.push(fc.constant({ how: `${where} removed`, input: withChange(example, path, () => deleteMarker) }));
    if (current !== null && typeof current === 'object' && !Array.isArray(current)) {
      changes.push(
        fc.tuple(hostileKey, hostileValue(options)).map(([key, value]) => ({
          how: `extra key ${JSON.stringify(key.slice(0, 20))} at ${where}`,
          input: withChange(example, path, (object) => {
            defineOwn(object as Record<string, unknown>, key, value);
            return object;
          }),
        })),
      );
    }
    if (Array.isArray(current) && current.length > 0) {
      changes.push(
        fc.constantFrom(...oversizedCounts).map((count) => ({
          how: `${where} grown to ${count} items`,
          input: withChange(example, path, (items) => Array.from({ length: count }, (_, i) => structuredClone((items as unknown[])[i % (items as unknown[]).length]))),
        })),
      );
    }
    if (typeof current === 'string') {
      changes.push(fc.constantFrom(...oversizedLengths).map((length) => ({ how: `${where} grown to ${length} characters`, input: withChange(example, path, () => current.padEnd(length, 'x')) })));
      changes.push(hostileString.map((text) => ({ how: `${where} + hostile text`, input: withChange(example, path, () => `${current}${text}`) })));
    }
    return fc.oneof(...changes).map(printable);
  });
  return fc.oneof({ weight: 1, arbitrary: whole }, { weight: 5, arbitrary: mutation });
}

/** A short, printable form of a hostile input (it may be megabytes long or thousands of levels deep). */
export function preview(value: unknown, depth = 0): string {
  if (depth > 6) return '…';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…(${value.length} chars)` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (typeof value === 'symbol' || typeof value === 'function') return `<${typeof value}>`;
  if (value instanceof Date) return `Date(${value.getTime()})`;
  if (Array.isArray(value)) {
    const items = value.slice(0, 4).map((item) => preview(item, depth + 1));
    return `[${items.join(', ')}${value.length > 4 ? `, …(${value.length} items)` : ''}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const shown = entries.slice(0, 8).map(([key, item]) => `${JSON.stringify(key.length > 30 ? `${key.slice(0, 30)}…` : key)}: ${preview(item, depth + 1)}`);
  return `{${shown.join(', ')}${entries.length > 8 ? ', …' : ''}}`;
}
