/**
 * The one place that checks the options objects of smqsched's public API. Every call that takes
 * options (`new Scheduler()`, `new Queue()`, `Q.options()`, `threads()`, `processes()`,
 * `task()`, `sch.on()`) reads them with {@link readOptions} and checks each value with the
 * helpers below, so that every refusal has the same shape:
 *
 * ```text
 * new Queue(): `concurrency` must be a positive integer, got `-1` (number).
 * ```
 *
 * The call comes first, then the option, what it must be, and what it got. A value of the wrong
 * kind throws `TypeError`, a value of the right kind out of range throws `RangeError`.
 *
 * @module
 */
import { describeValue } from '../errors.js';

/** The longest delay `setTimeout` keeps: larger ones fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Describes a value for a message, as `describeValue` does, showing `-0` as such. */
export function shown(value: unknown): string {
  if (Object.is(value, -0)) return '`-0` (number)';
  try {
    return describeValue(value);
  } catch {
    // A revoked Proxy: even Object.prototype.toString throws on it.
    return `\`[unreadable ${typeof value}]\` (${typeof value})`;
  }
}

/** The `TypeError` for a value of the wrong kind: `` call: `key` must be what, got ... ``. */
export function typeError(call: string, key: string, what: string, value: unknown): TypeError {
  return new TypeError(`${call}: \`${key}\` must be ${what}, got ${shown(value)}.`);
}

/** The `RangeError` for a value out of range: `` call: `key` must be what, got ... ``. */
export function rangeError(call: string, key: string, what: string, value: unknown): RangeError {
  return new RangeError(`${call}: \`${key}\` must be ${what}, got ${shown(value)}.`);
}

/**
 * `Array.isArray`, or a `TypeError` naming the call and option for a revoked Proxy (which
 * `Array.isArray` throws on).
 */
function isArrayLike(call: string, key: string, value: object): boolean {
  try {
    return Array.isArray(value);
  } catch (error) {
    throw new TypeError(
      `${call}: could not read ${key} (${thrownText(error)}). Pass a plain object of values.`,
      { cause: error },
    );
  }
}

/**
 * A plain-text message of what a getter or Proxy trap threw: an Error's message, any other
 * value described; never throws itself (a `message` getter that throws gives the description).
 */
export function thrownText(error: unknown): string {
  try {
    if (error instanceof Error && typeof error.message === 'string') return error.message;
  } catch {
    // Fall through to the description.
  }
  return shown(error);
}

/** The known key closest to a misspelt one (case or up to 2 edits), for a hint. */
function closest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance, for short option names only. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 40 || b.length > 40) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === (b[j - 1] as string).toLowerCase() ? 0 : 1;
      row[j] = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = row;
  }
  return previous[b.length] as number;
}

/**
 * Reads an options object once and returns a snapshot of it: a null-prototype object holding
 * the known keys that are set (not `undefined`), read exactly once each. Later changes to the
 * caller's object (or a getter that answers differently on each read) do not reach the
 * snapshot.
 *
 * Keys count if the object has them as own properties or inherits them from anything but
 * `Object.prototype` (a value planted on `Object.prototype` is not an option).
 *
 * @param call - the call the options belong to, for messages: `new Queue()`, `threads()`.
 * @param options - what the caller passed; `undefined` gives an empty snapshot.
 * @param known - the option names the call knows.
 * @param prefix - for a nested options object, its option's name and a dot
 *   (`resourceLimits.`), put before each key in messages.
 * @throws TypeError if `options` is not an object (or is an array), has an own key that is
 *   not in `known` (the message lists `known`), or cannot be read (a getter or a Proxy trap
 *   that throws, a revoked Proxy).
 */
export function readOptions<K extends string>(
  call: string,
  options: unknown,
  known: readonly K[],
  prefix = '',
): Partial<Record<K, unknown>> {
  const snapshot = Object.create(null) as Partial<Record<K, unknown>>;
  if (options === undefined) return snapshot;
  const what = prefix === '' ? 'the options' : `\`${prefix.slice(0, -1)}\``;
  if (options === null || typeof options !== 'object' || isArrayLike(call, what, options)) {
    throw new TypeError(
      prefix === ''
        ? `${call}: the options must be an object such as { ${known[0]}: ... }, got ${shown(options)}.`
        : `${call}: \`${prefix.slice(0, -1)}\` must be an object such as { ${known[0]}: ... }, got ${shown(options)}.`,
    );
  }
  let step = `list the keys of ${what}`;
  let unknown: string | undefined;
  try {
    const knownSet = new Set<string>(known);
    for (const key of Reflect.ownKeys(options)) {
      if (typeof key === 'symbol' || knownSet.has(key)) continue;
      const descriptor = Reflect.getOwnPropertyDescriptor(options, key);
      if (descriptor === undefined || !descriptor.enumerable) continue;
      unknown = key;
      break;
    }
    if (unknown === undefined) {
      for (const key of known) {
        step = `read \`${prefix}${key}\``;
        if (!isOwnOrInherited(options, key)) continue;
        const value: unknown = Reflect.get(options, key);
        if (value !== undefined) snapshot[key] = value;
      }
    }
  } catch (error) {
    throw new TypeError(
      `${call}: could not ${step} (${thrownText(error)}). Pass a plain object of values.`,
      { cause: error },
    );
  }
  if (unknown !== undefined) {
    const hint = closest(unknown, known);
    throw new TypeError(
      `${call}: unknown option \`${prefix}${unknown}\`${hint === undefined ? '' : ` (did you mean \`${prefix}${hint}\`?)`}. The options are: ${known.map((k) => prefix + k).join(', ')}.`,
    );
  }
  return snapshot;
}

/** True if `key` is an own property of `object` or inherited from other than `Object.prototype`. */
function isOwnOrInherited(object: object, key: string): boolean {
  let holder: object | null = object;
  for (let depth = 0; holder !== null && depth < 100; depth++) {
    if (holder === Object.prototype) return false;
    if (Reflect.getOwnPropertyDescriptor(holder, key) !== undefined) return true;
    holder = Reflect.getPrototypeOf(holder);
  }
  return false;
}

/** The context every value check gets: which call and which option it is about. */
export interface Where {
  /** The call, for messages: `new Queue()`, `threads()`, `Q.options()`. */
  readonly call: string;
  /** The option's name (or path, such as `resources.gpu`). */
  readonly key: string;
}

/**
 * Checks one option of a snapshot made by {@link readOptions}: `undefined` if it is not set,
 * else what `check` returns for it.
 */
export function optional<K extends string, T>(
  call: string,
  snapshot: Partial<Record<K, unknown>>,
  key: K,
  check: (where: Where, value: unknown) => T,
): T | undefined {
  const value = snapshot[key];
  return value === undefined ? undefined : check({ call, key }, value);
}

/**
 * `value instanceof type`, but `false` where `instanceof` itself throws (a revoked Proxy, a
 * Proxy whose `getPrototypeOf` trap throws).
 */
export function isInstance<T>(
  value: unknown,
  type: abstract new (...args: never[]) => T,
): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}

/** `true` or `false`. */
export function boolean(where: Where, value: unknown): boolean {
  if (typeof value !== 'boolean') throw typeError(where.call, where.key, 'a boolean', value);
  return value;
}

/** A string (empty allowed unless `nonEmpty`). */
export function string(where: Where, value: unknown, nonEmpty = false): string {
  if (typeof value !== 'string' || (nonEmpty && value === '')) {
    throw typeError(where.call, where.key, nonEmpty ? 'a non-empty string' : 'a string', value);
  }
  return value;
}

/** A function. */
export function func<F extends (...args: never[]) => unknown>(where: Where, value: unknown): F {
  if (typeof value !== 'function') throw typeError(where.call, where.key, 'a function', value);
  return value as F;
}

function number(where: Where, value: unknown, what: string): number {
  if (typeof value !== 'number') throw typeError(where.call, where.key, what, value);
  return value;
}

/** An integer from 1 up (`NaN`, `Infinity`, fractions and strings refused). */
export function positiveInteger(where: Where, value: unknown): number {
  const what = 'a positive integer';
  const n = number(where, value, what);
  if (!Number.isSafeInteger(n) || n < 1) throw rangeError(where.call, where.key, what, value);
  return n;
}

/** An integer from 0 up; `-0` gives 0. */
export function nonNegativeInteger(where: Where, value: unknown): number {
  const what = 'an integer from 0 up';
  const n = number(where, value, what);
  if (!Number.isSafeInteger(n) || n < 0) throw rangeError(where.call, where.key, what, value);
  return n + 0;
}

/** A finite number above 0. */
export function finitePositive(where: Where, value: unknown): number {
  const what = 'a finite number above 0';
  const n = number(where, value, what);
  if (!(n > 0) || !Number.isFinite(n)) throw rangeError(where.call, where.key, what, value);
  return n;
}

/** A finite number from 0 up; `-0` gives 0. */
export function finiteNonNegative(where: Where, value: unknown): number {
  const what = 'a finite number from 0 up';
  const n = number(where, value, what);
  if (!(n >= 0) || !Number.isFinite(n)) throw rangeError(where.call, where.key, what, value);
  return n + 0;
}

/**
 * Milliseconds that become a timer: a number from 0 (or above 0 if `above0`) up to
 * {@link MAX_TIMER_MS}, the longest delay `setTimeout` keeps (a larger one would fire after
 * 1 ms). `-0` gives 0.
 */
export function timerMs(where: Where, value: unknown, above0 = false): number {
  const what = `a number of milliseconds ${above0 ? 'above 0' : 'from 0'} up to 2^31 - 1 (${MAX_TIMER_MS})`;
  const n = number(where, value, what);
  if (!(above0 ? n > 0 : n >= 0) || !(n <= MAX_TIMER_MS)) {
    throw rangeError(where.call, where.key, what, value);
  }
  return n + 0;
}

/** One of the `choices` (compared with `===`). */
export function oneOf<T>(where: Where, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    const list = choices.map((c) => (typeof c === 'string' ? `'${c}'` : String(c))).join(', ');
    throw typeError(where.call, where.key, `one of ${list}`, value);
  }
  return value as T;
}

/** An array of strings, copied. */
export function stringArray(where: Where, value: unknown): string[] {
  let copy: unknown[] | undefined;
  try {
    if (Array.isArray(value)) copy = Array.from(value as unknown[]);
  } catch (error) {
    throw new TypeError(
      `${where.call}: could not read \`${where.key}\` (${thrownText(error)}). Pass a plain array of strings.`,
      { cause: error },
    );
  }
  if (copy === undefined || !copy.every((item) => typeof item === 'string')) {
    throw typeError(where.call, where.key, 'an array of strings', value);
  }
  return copy as string[];
}

/**
 * An object of names to values (not an array, not null), copied into a null-prototype object
 * with each value checked by `each` (given the path `key.name`). Own enumerable string keys
 * only, read once; `__proto__` is a name like any other.
 */
export function record<T>(
  where: Where,
  value: unknown,
  each: (where: Where, value: unknown) => T,
  what = 'an object of names to values',
): Record<string, T> {
  if (
    value === null ||
    typeof value !== 'object' ||
    isArrayLike(where.call, `\`${where.key}\``, value)
  ) {
    throw typeError(where.call, where.key, what, value);
  }
  const entries: [string, unknown][] = [];
  try {
    for (const name of Object.keys(value)) entries.push([name, Reflect.get(value, name)]);
  } catch (error) {
    throw new TypeError(
      `${where.call}: could not read \`${where.key}\` (${thrownText(error)}). Pass a plain object of values.`,
      { cause: error },
    );
  }
  const out = Object.create(null) as Record<string, T>;
  for (const [name, item] of entries) {
    out[name] = each({ call: where.call, key: `${where.key}.${name}` }, item);
  }
  return out;
}
