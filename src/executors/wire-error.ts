/**
 * Errors (and any other thrown value) as they cross between a worker and the scheduler: turned
 * into plain data in the worker (`toWire`), and back into an error in the scheduler
 * (`fromWire`). Neither trusts what it is given: a thrown Proxy, getters that throw, a cyclic
 * `cause`, a `name` like `__proto__` or a malformed message all give an error, never an
 * exception out of these functions.
 *
 * @module
 */

import { textOf } from '../errors.js';

/** An error (or any thrown value) in a form that structured cloning keeps whole. */
export type WireError =
  | {
      readonly kind: 'error';
      readonly name: string;
      readonly message: string;
      readonly stack: string | undefined;
      /** Own enumerable fields with primitive values (`code`, `errno`, `path`, ...). */
      readonly fields: Record<string, unknown>;
      readonly cause?: WireError;
    }
  | { readonly kind: 'value'; readonly value: unknown };

type WireErrorOnly = Extract<WireError, { kind: 'error' }>;

/** How many `cause` links are kept, the error itself included. */
const MAX_CAUSES = 10;

/**
 * The error classes that come back as themselves, by name. A `Map`, so that a name such as
 * `__proto__`, `toString` or `constructor` finds nothing (and gives a plain `Error`), never an
 * `Object.prototype` member.
 */
const BUILT_IN = new Map<string, new (message?: string) => Error>([
  ['Error', Error],
  ['TypeError', TypeError],
  ['RangeError', RangeError],
  ['SyntaxError', SyntaxError],
  ['ReferenceError', ReferenceError],
  ['EvalError', EvalError],
  ['URIError', URIError],
]);

/** `textOf`, for values whose every operation may throw (a revoked Proxy). */
function safeText(value: unknown): string {
  try {
    return textOf(value);
  } catch {
    return '[a value that cannot be shown]';
  }
}

/** Reads `object[key]`, or `fallback` if reading throws (a getter, a Proxy trap). */
function read(object: object, key: PropertyKey, fallback: unknown): unknown {
  try {
    return (object as Record<PropertyKey, unknown>)[key];
  } catch {
    return fallback;
  }
}

function isError(value: unknown): value is Error {
  try {
    return value instanceof Error;
  } catch {
    return false; // a Proxy whose getPrototypeOf throws: not an error one can read
  }
}

/** A copy of `value` made by structured cloning, or its text if it cannot be copied. */
function copyOf(value: unknown): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
    return typeof value === 'symbol' ? safeText(value) : value;
  }
  try {
    return structuredClone(value);
  } catch {
    return safeText(value);
  }
}

/** A value structured cloning copies as it is: fields keep only these. */
function isPlainPrimitive(value: unknown): boolean {
  return (
    value === null || ['string', 'number', 'boolean', 'bigint', 'undefined'].includes(typeof value)
  );
}

function ownFields(error: Error): Record<string, unknown> {
  const fields = Object.create(null) as Record<string, unknown>; // `__proto__` stays a key
  let keys: string[];
  try {
    keys = Object.keys(error);
  } catch {
    return fields;
  }
  for (const key of keys) {
    const value = read(error, key, undefined);
    if (isPlainPrimitive(value)) fields[key] = value;
  }
  return fields;
}

function textField(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  return value === undefined ? fallback : safeText(value);
}

/** One error of a chain, without its cause. */
function oneToWire(error: Error): WireErrorOnly {
  const unreadable = '[could not be read: its getter threw]';
  const stack = read(error, 'stack', undefined);
  return {
    kind: 'error',
    name: textField(read(error, 'name', unreadable), 'Error'),
    message: textField(read(error, 'message', unreadable), ''),
    stack: typeof stack === 'string' ? stack : undefined,
    fields: ownFields(error),
  };
}

/**
 * Turns what a task threw into a `WireError` (in the worker). Never throws, and the result is
 * always plain data that structured cloning copies: an error's `name`, `message` and `stack`
 * are read once each (a getter that throws leaves a note in their place), its fields keep only
 * primitives, its `cause` chain is followed up to 10 links and stops at a cycle; a thrown
 * non-Error is copied, or described in text if it cannot be.
 */
export function toWire(thrown: unknown): WireError {
  const chain: WireErrorOnly[] = [];
  const seen = new Set<unknown>();
  let current: unknown = thrown;
  let tail: WireError | undefined;
  while (chain.length < MAX_CAUSES && !seen.has(current)) {
    if (!isError(current)) {
      tail = { kind: 'value', value: copyOf(current) };
      break;
    }
    seen.add(current);
    chain.push(oneToWire(current));
    current = read(current, 'cause', undefined);
    if (current === undefined) break;
  }
  let wire = tail;
  for (let i = chain.length - 1; i >= 0; i--) {
    const link = chain[i] as WireErrorOnly;
    wire = wire === undefined ? link : { ...link, cause: wire };
  }
  return wire ?? { kind: 'value', value: undefined };
}

/**
 * Rebuilds a thrown value from a `WireError` (in the scheduler): built-in error classes come
 * back as themselves, any other name as an `Error` with that `name`; the worker's stack and
 * fields are kept (as own data properties, whatever their keys), so the error reads as if
 * thrown here. Never throws: a malformed `wire` (it may come from a message a task forged)
 * gives an `Error` saying so, and a `cause` chain is rebuilt up to 10 links.
 */
export function fromWire(wire: unknown): unknown {
  const chain: object[] = [];
  let current: unknown = wire;
  let tail: unknown;
  let hasTail = false;
  while (chain.length < MAX_CAUSES) {
    if (current === null || typeof current !== 'object') {
      tail = malformed(current);
      hasTail = true;
      break;
    }
    const kind = (current as { kind?: unknown }).kind;
    if (kind === 'value') {
      tail = (current as { value?: unknown }).value;
      hasTail = true;
      break;
    }
    if (kind !== 'error') {
      tail = malformed(current);
      hasTail = true;
      break;
    }
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
    if (current === undefined) break;
  }
  let cause = tail;
  let hasCause = hasTail;
  for (let i = chain.length - 1; i >= 0; i--) {
    const error = oneFromWire(chain[i] as Record<string, unknown>);
    if (hasCause) define(error, 'cause', cause, false);
    cause = error;
    hasCause = true;
  }
  return cause;
}

function oneFromWire(wire: Record<string, unknown>): Error {
  const name = typeof wire.name === 'string' ? wire.name : 'Error';
  const Class = BUILT_IN.get(name) ?? Error;
  const error = new Class(typeof wire.message === 'string' ? wire.message : safeText(wire.message));
  if (error.name !== name) define(error, 'name', name, false);
  if (typeof wire.stack === 'string') define(error, 'stack', wire.stack, false);
  const fields = wire.fields;
  if (fields !== null && typeof fields === 'object') {
    for (const key of Object.keys(fields)) {
      const value = (fields as Record<string, unknown>)[key];
      if (isPlainPrimitive(value) && !CARRIED.has(key)) define(error, key, value, true);
    }
  }
  return error;
}

/** Properties a `WireError` carries on its own: fields of these names do not replace them. */
const CARRIED = new Set(['name', 'message', 'stack', 'cause']);

/** Sets an own data property (never a setter, never the prototype, whatever the key). */
function define(error: Error, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(error, key, { value, writable: true, enumerable, configurable: true });
}

function malformed(value: unknown): Error {
  const shown = value === null ? 'null' : typeof value;
  return new TypeError(
    `A worker reported a failure in a form smqsched cannot read (${shown} where an error was expected). Something in the worker wrote to smqsched's channel: only return, throw or yield from a task.`,
  );
}

/** True if `value` has the shape of a `WireError` at its top (its kind). */
export function isWireError(value: unknown): value is WireError {
  if (value === null || typeof value !== 'object') return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'value' || kind === 'error';
}

/** The message of a thrown error, or the text of another thrown value; never throws. */
export function messageOf(thrown: unknown): string {
  if (isError(thrown)) return textField(read(thrown, 'message', undefined), safeText(thrown));
  return safeText(thrown);
}
