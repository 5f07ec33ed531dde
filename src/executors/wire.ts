/**
 * What crosses between the scheduler and its workers (threads and processes alike): the task
 * request, the outcome, errors in a form that survives structured cloning, and the buffers a
 * result can hand over instead of copying.
 *
 * @module
 */

import { types } from 'node:util';
import type { MessagePort } from 'node:worker_threads';
import { isWireError, messageOf, type WireError } from './wire-error.js';

export { fromWire, isWireError, messageOf, toWire, type WireError } from './wire-error.js';

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

/**
 * True if `value` has the shape of a `TaskOutcome`: what a worker's message must hold before
 * the scheduler acts on it (a task can write to the channel too).
 */
export function isTaskOutcome(value: unknown): value is TaskOutcome {
  if (value === null || typeof value !== 'object') return false;
  const { ok } = value as { ok?: unknown };
  if (ok === true) return 'value' in value;
  return ok === false && isWireError((value as { error?: unknown }).error);
}

/** Above this length an array is walked by its own keys: it may be sparse (`new Array(2**32-1)`). */
const DENSE_WALK_MAX = 100_000;

/**
 * The buffers of `value` that can be moved to the receiver instead of copied: every
 * `ArrayBuffer`, and the buffer of every typed array or `DataView` that spans its whole buffer
 * (a view of part of a buffer, like a pooled Node `Buffer`, shares memory with others and is
 * copied), found in arrays, plain objects, Maps and Sets. Other objects (class instances) are
 * looked into too, to find what cannot be copied, but their buffers are copied: a task may keep
 * such an object for later calls.
 *
 * @throws TypeError for a function, symbol, promise, Proxy, WeakMap, WeakSet or WeakRef found
 *   there: structured cloning cannot copy them, and saying so here fails the task instead of
 *   the worker. Whatever a getter found on the way throws is thrown too.
 */
export function transferablesOf(value: unknown): ArrayBuffer[] {
  if (value === null || typeof value !== 'object') {
    checkCloneable(value);
    return [];
  }
  const found = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const stack: [object, boolean][] = [[value, true]];
  while (stack.length > 0) {
    const [item, collect] = stack.pop() as [object, boolean];
    if (seen.has(item)) continue;
    seen.add(item);
    const visit = (child: unknown, keepCollecting = collect): void => {
      if (child !== null && typeof child === 'object') stack.push([child, keepCollecting]);
      else checkCloneable(child);
    };
    walkOne(item, collect, found, visit);
  }
  return [...found];
}

function walkOne(
  item: object,
  collect: boolean,
  found: Set<ArrayBuffer>,
  visit: (child: unknown, keepCollecting?: boolean) => void,
): void {
  if (types.isProxy(item)) cannotCopy('a Proxy');
  if (item instanceof ArrayBuffer) {
    if (collect) found.add(item);
  } else if (ArrayBuffer.isView(item)) {
    if (collect) addView(item, found);
  } else if (item instanceof Promise) cannotCopy('a promise');
  else if (item instanceof WeakMap || item instanceof WeakSet || item instanceof WeakRef) {
    cannotCopy(`a ${item.constructor.name}`);
  } else if (Array.isArray(item)) {
    if (item.length <= DENSE_WALK_MAX) for (let i = 0; i < item.length; i++) visit(item[i]);
    else for (const key of Object.keys(item)) visit(item[key as unknown as number]);
  } else if (item instanceof Map) {
    Map.prototype.forEach.call(item, (v: unknown, k: unknown) => {
      visit(k);
      visit(v);
    });
  } else if (item instanceof Set) {
    Set.prototype.forEach.call(item, (v: unknown) => visit(v));
  } else if (item instanceof Error) checkErrorCopies(item);
  else if (!copiedWhole(item)) {
    const plain = isPlainObject(item);
    for (const key of Object.keys(item)) visit(item[key as keyof object], collect && plain);
  }
}

/** Objects structured cloning copies without looking at their own properties. */
function copiedWhole(item: object): boolean {
  return item instanceof Date || item instanceof RegExp || types.isBoxedPrimitive(item);
}

/**
 * Structured cloning writes some errors it cannot read back: one whose `cause` leads back to
 * itself fails in the receiver, where Node.js's IPC channel throws it as an uncaught exception.
 * A trial copy here finds them (and errors whose getters throw).
 */
function checkErrorCopies(error: Error): void {
  try {
    structuredClone(error);
  } catch (cause) {
    cannotCopy(
      `an error that cannot be copied (${messageOf(cause)}; a cause that leads back to the error does that)`,
    );
  }
}

function cannotCopy(what: string): never {
  throw new TypeError(
    `The value holds ${what}, which cannot be copied between threads or processes. Return only data that structured cloning copies: no functions, symbols, promises or proxies.`,
  );
}

function checkCloneable(value: unknown): void {
  if (typeof value === 'function') cannotCopy('a function');
  if (typeof value === 'symbol') cannotCopy('a symbol');
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
