/**
 * What crosses between the scheduler and its workers (threads and processes alike): the task
 * request, the outcome, errors in a form that survives structured cloning, and the buffers a
 * result can hand over instead of copying.
 *
 * @module
 */

import type { MessagePort } from 'node:worker_threads';
import { textOf } from '../errors.js';

/** A task sent to a worker: which export to call, with what, as which task. */
export interface TaskRequest {
  /** The module's URL. */
  readonly url: string;
  /** The export to call. */
  readonly exportName: string;
  /** True if the export is a generator function: its items are streamed back. */
  readonly generator: boolean;
  /** The arguments, every future already replaced by its value. */
  readonly args: unknown[];
  /** Identifies this attempt within its executor (for aborts and streamed items). */
  readonly key: number;
  /** What `currentTask()` returns in the worker. */
  readonly id: number;
  readonly name: string;
  readonly attempt: number;
}

/**
 * How a worker thread fails a task: it throws this (Piscina passes it on as the rejection), so
 * the scheduler tells a task's own error from a lost worker.
 */
export interface ThreadTaskError {
  readonly smqschedTaskError: WireError;
}

/** True for the rejection of a task that failed in its worker thread (not a lost worker). */
export function isThreadTaskError(value: unknown): value is ThreadTaskError {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Partial<ThreadTaskError>).smqschedTaskError === 'object'
  );
}

/** A request as a worker thread receives it: a generator task brings the port its items go to. */
export type ThreadTask = TaskRequest & { readonly port?: MessagePort };

/** What travels back on a generator task's stream: each item, then the outcome. */
export type StreamMessage =
  | { readonly kind: 'item'; readonly value: unknown }
  | { readonly kind: 'end'; readonly outcome: TaskOutcome };

/** How a task ended in the worker: its value (or item count), or what it threw. */
export type TaskOutcome =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly error: WireError };

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

const BUILT_IN: Record<string, new (message?: string) => Error> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

function cloneable(value: unknown): boolean {
  try {
    structuredClone(value);
    return true;
  } catch {
    return false;
  }
}

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

/** Turns what a task threw into a `WireError` (in the worker). */
export function toWire(thrown: unknown, depth = 0): WireError {
  if (!(thrown instanceof Error)) {
    return { kind: 'value', value: cloneable(thrown) ? thrown : textOf(thrown) };
  }
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(thrown)) {
    const value = (thrown as unknown as Record<string, unknown>)[key];
    if (isPrimitive(value)) fields[key] = value;
  }
  const base = {
    kind: 'error' as const,
    name: thrown.name,
    message: thrown.message,
    stack: thrown.stack,
    fields,
  };
  return thrown.cause === undefined || depth > 8
    ? base
    : { ...base, cause: toWire(thrown.cause, depth + 1) };
}

/**
 * Rebuilds a thrown value from a `WireError` (in the scheduler): built-in error classes come
 * back as themselves, others as an `Error` with the original `name`; the worker's stack and
 * fields are kept, so the error reads as if thrown here.
 */
export function fromWire(wire: WireError): unknown {
  if (wire.kind === 'value') return wire.value;
  const Class = BUILT_IN[wire.name] ?? Error;
  const error = new Class(wire.message);
  if (error.name !== wire.name) {
    Object.defineProperty(error, 'name', { value: wire.name, configurable: true, writable: true });
  }
  if (wire.stack !== undefined) error.stack = wire.stack;
  if (wire.cause !== undefined) error.cause = fromWire(wire.cause);
  Object.assign(error, wire.fields);
  return error;
}

/**
 * The buffers of `value` that can be moved to the receiver instead of copied: every
 * `ArrayBuffer`, and the buffer of every typed array or `DataView` that spans its whole buffer
 * (a view of part of a buffer, like a pooled Node `Buffer`, shares memory with others and is
 * copied). Looks into arrays, plain objects, Maps and Sets.
 *
 * @throws TypeError for a function, symbol or promise found there: structured cloning cannot
 *   copy them, and saying so here fails the task instead of the worker.
 */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  if (value === null || typeof value !== 'object') {
    checkCloneable(value);
    return [];
  }
  const found = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const stack: unknown[] = [value];
  const visit = (item: unknown): void => {
    if (item !== null && typeof item === 'object') stack.push(item);
    else checkCloneable(item);
  };
  while (stack.length > 0) {
    const item = stack.pop() as object;
    if (seen.has(item)) continue;
    seen.add(item);
    if (item instanceof ArrayBuffer) found.add(item);
    else if (ArrayBuffer.isView(item)) addView(item, found);
    else if (item instanceof Promise) checkCloneable(item);
    else if (Array.isArray(item)) for (const v of item) visit(v);
    else if (item instanceof Map) {
      for (const [k, v] of item) {
        visit(k);
        visit(v);
      }
    } else if (item instanceof Set) for (const v of item) visit(v);
    else if (isPlainObject(item)) for (const key in item) visit(item[key as keyof object]);
  }
  return [...found];
}

function checkCloneable(value: unknown): void {
  if (typeof value === 'function' || typeof value === 'symbol' || value instanceof Promise) {
    const what =
      typeof value === 'function'
        ? 'a function'
        : typeof value === 'symbol'
          ? 'a symbol'
          : 'a promise';
    throw new TypeError(
      `The value holds ${what}, which cannot be copied between threads or processes. Return only data that structured cloning copies: no functions, symbols or promises.`,
    );
  }
}

function addView(view: ArrayBufferView, found: Set<ArrayBuffer>): void {
  const buffer = view.buffer;
  if (buffer instanceof ArrayBuffer && view.byteOffset === 0) {
    if (view.byteLength === buffer.byteLength) found.add(buffer);
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
