/**
 * The boundary fuzzer of arguments and results (issue 13): arbitrary nested structures (deep,
 * cyclic, sparse, Proxies, throwing getters, own `__proto__` keys, typed arrays, Maps, objects
 * without a prototype) around futures of tasks that succeed or fail, given to a task that
 * returns a hostile or plain result. Every case must end with the task done with an equal copy,
 * or refused at submit with a TypeError naming it, or failed with an Error; never a crashed
 * process, an unhandled rejection, a lost slot, a second `task:end` or a hang.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ArgumentError,
  DependencyError,
  type Future,
  Queue,
  Scheduler,
  TaskFailedError,
} from '../../../src/index.js';
import { within } from '../../helpers/gates.js';

/** A description of an argument, built into a value (and its expected copy) per run. */
export type Shape =
  | { readonly k: 'prim'; readonly v: string | number | boolean | null | undefined | bigint }
  | {
      readonly k: 'future';
      readonly value: number;
      readonly fails: boolean;
      readonly async: boolean;
    }
  | { readonly k: 'arr'; readonly items: readonly Shape[]; readonly sparseLength: number }
  | {
      readonly k: 'obj';
      readonly entries: readonly (readonly [string, Shape])[];
      readonly nullProto: boolean;
      readonly protoKey: boolean;
    }
  | { readonly k: 'deep'; readonly depth: number; readonly leaf: Shape }
  | { readonly k: 'cycle'; readonly inner: Shape }
  | {
      readonly k: 'proxy';
      readonly inner: Shape;
      readonly trap: 'none' | 'throwing-get' | 'revoked-after-submit' | 'throwing-proto';
    }
  | { readonly k: 'getter'; readonly throwsFrom: number }
  | { readonly k: 'typed'; readonly n: number }
  | { readonly k: 'map'; readonly inner: Shape }
  | { readonly k: 'instance'; readonly inner: Shape };

/** What the task returns. */
export type ResultKind =
  | 'args'
  | 'thenable-thrice'
  | 'then-getter-throws'
  | 'then-throws-after-ok'
  | 'rejecting'
  | 'throws-non-error';

const key = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'toString', 'then', 'length', '0', 'a', 'b'),
  fc.string({ maxLength: 4 }),
);

export const shapeArb: fc.Arbitrary<Shape> = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'shape' },
    fc.record({
      k: fc.constant('prim' as const),
      v: fc.oneof(
        fc.string({ maxLength: 5 }),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(undefined),
        fc.bigInt(),
      ),
    }),
    fc.record({
      k: fc.constant('future' as const),
      value: fc.integer(),
      fails: fc.oneof(
        { arbitrary: fc.constant(false), weight: 4 },
        { arbitrary: fc.constant(true), weight: 1 },
      ),
      async: fc.boolean(),
    }),
    fc.record({
      k: fc.constant('arr' as const),
      items: fc.array(tie('shape'), { maxLength: 4 }),
      sparseLength: fc.oneof(
        fc.constant(0),
        fc.constant(2 ** 32 - 1),
        fc.integer({ min: 0, max: 70_000 }),
      ),
    }),
    fc.record({
      k: fc.constant('obj' as const),
      entries: fc.uniqueArray(fc.tuple(key, tie('shape')), { selector: (e) => e[0], maxLength: 4 }),
      nullProto: fc.boolean(),
      protoKey: fc.boolean(),
    }),
    fc.record({
      k: fc.constant('deep' as const),
      depth: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constant(500)),
      leaf: tie('shape'),
    }),
    fc.record({ k: fc.constant('cycle' as const), inner: tie('shape') }),
    fc.record({
      k: fc.constant('proxy' as const),
      inner: tie('shape'),
      trap: fc.constantFrom(
        'none' as const,
        'throwing-get' as const,
        'revoked-after-submit' as const,
        'throwing-proto' as const,
      ),
    }),
    fc.record({ k: fc.constant('getter' as const), throwsFrom: fc.integer({ min: 0, max: 3 }) }),
    fc.record({ k: fc.constant('typed' as const), n: fc.integer({ min: 0, max: 16 }) }),
    fc.record({ k: fc.constant('map' as const), inner: tie('shape') }),
    fc.record({ k: fc.constant('instance' as const), inner: tie('shape') }),
  ),
})).shape;

export const resultArb: fc.Arbitrary<ResultKind> = fc.constantFrom(
  'args',
  'args',
  'thenable-thrice',
  'then-getter-throws',
  'then-throws-after-ok',
  'rejecting',
  'throws-non-error',
);

class Box {
  constructor(readonly inner: unknown) {}
}

/** Builds a shape: its value, what the task should receive, and whether that is comparable. */
interface Built {
  value: unknown;
  expected: unknown;
  /** False if the value has parts whose reading may throw or change (no equality check). */
  comparable: boolean;
}

interface Ctx {
  readonly Q: Queue;
  readonly afterSubmit: (() => void)[];
  readonly failing: Future<unknown>[];
}

function build(shape: Shape, ctx: Ctx, scanned = true): Built {
  switch (shape.k) {
    case 'prim':
      return { value: shape.v, expected: shape.v, comparable: true };
    case 'future': {
      const { value, fails } = shape;
      const fn = shape.async
        ? async () => {
            if (fails) throw new Error(`producer ${value} failed`);
            return value;
          }
        : () => {
            if (fails) throw new Error(`producer ${value} failed`);
            return value;
          };
      const future = ctx.Q.options({ name: `producer${value}` }).submit(fn as () => unknown);
      if (fails && scanned) ctx.failing.push(future);
      return { value: future, expected: value, comparable: true };
    }
    case 'arr': {
      const value: unknown[] = [];
      const expected: unknown[] = [];
      let comparable = true;
      shape.items.forEach((item, i) => {
        const b = build(item, ctx, scanned);
        value[i] = b.value;
        expected[i] = b.expected;
        comparable &&= b.comparable;
      });
      if (shape.sparseLength > value.length) {
        value.length = shape.sparseLength;
        expected.length = shape.sparseLength;
      }
      return { value, expected, comparable };
    }
    case 'obj': {
      const value: Record<string, unknown> = shape.nullProto ? Object.create(null) : {};
      const expected: Record<string, unknown> = shape.nullProto ? Object.create(null) : {};
      let comparable = true;
      if (shape.protoKey) {
        // First, so an entry of the same key replaces it (and its future stays in the value).
        define(value, '__proto__', { polluted: 1 });
        define(expected, '__proto__', { polluted: 1 });
      }
      for (const [k, item] of shape.entries) {
        const b = build(item, ctx, scanned);
        define(value, k, b.value);
        define(expected, k, b.expected);
        comparable &&= b.comparable;
      }
      return { value, expected, comparable };
    }
    case 'deep': {
      const leaf = build(shape.leaf, ctx, scanned);
      let value: unknown = { leaf: leaf.value };
      let expected: unknown = { leaf: leaf.expected };
      for (let i = 0; i < shape.depth; i++) {
        value = { next: value };
        expected = { next: expected };
      }
      return { value, expected, comparable: leaf.comparable };
    }
    case 'cycle': {
      const inner = build(shape.inner, ctx, scanned);
      const value: Record<string, unknown> = { inner: inner.value };
      value.self = value;
      const expected: Record<string, unknown> = { inner: inner.expected };
      expected.self = expected;
      return { value, expected, comparable: inner.comparable };
    }
    case 'proxy': {
      // The scan at submit sees through a plain Proxy and one revoked only after submit.
      const seen = shape.trap === 'none' || shape.trap === 'revoked-after-submit';
      const inner = build(shape.inner, ctx, scanned && seen);
      const target = { inner: inner.value };
      if (shape.trap === 'none') {
        return {
          value: new Proxy(target, {}),
          expected: { inner: inner.expected },
          comparable: inner.comparable,
        };
      }
      if (shape.trap === 'revoked-after-submit') {
        const { proxy, revoke } = Proxy.revocable(target, {});
        ctx.afterSubmit.push(revoke);
        return { value: proxy, expected: undefined, comparable: false };
      }
      const handler: ProxyHandler<object> =
        shape.trap === 'throwing-get'
          ? {
              get() {
                throw new Error('hostile get');
              },
            }
          : {
              getPrototypeOf() {
                throw new Error('hostile getPrototypeOf');
              },
            };
      return { value: new Proxy(target, handler), expected: undefined, comparable: false };
    }
    case 'getter': {
      let reads = 0;
      const from = shape.throwsFrom;
      const value = {
        get g(): number {
          if (reads++ >= from) throw new Error('hostile getter');
          return reads;
        },
      };
      return { value, expected: undefined, comparable: false };
    }
    case 'typed': {
      const value = new Float64Array(shape.n).map((_, i) => i / 3);
      return { value, expected: value, comparable: true };
    }
    case 'map': {
      // A Map is passed as it is: a future inside stays a future (documented in docs/ordering.md).
      const inner = build(shape.inner, ctx, false);
      const value = new Map([['inner', inner.value]]);
      return { value, expected: value, comparable: true };
    }
    case 'instance': {
      const inner = build(shape.inner, ctx, false);
      const value = new Box(inner.value);
      return { value, expected: value, comparable: true };
    }
  }
}

function define(target: object, k: string, value: unknown): void {
  Object.defineProperty(target, k, { value, writable: true, enumerable: true, configurable: true });
}

function resultOf(kind: ResultKind, args: unknown[]): unknown {
  switch (kind) {
    case 'args':
      return args;
    case 'thenable-thrice':
      return {
        // biome-ignore lint/suspicious/noThenProperty: a hostile result under test.
        then(ok: (v: unknown) => void, fail: (e: unknown) => void) {
          ok(args);
          ok('second');
          fail(new Error('third'));
        },
      };
    case 'then-getter-throws':
      return new Proxy(
        {},
        {
          get(_t, p) {
            if (p === 'then') throw new Error('hostile then getter');
            return undefined;
          },
        },
      );
    case 'then-throws-after-ok':
      return {
        // biome-ignore lint/suspicious/noThenProperty: a hostile result under test.
        then(ok: (v: unknown) => void) {
          ok(args);
          throw new Error('after ok');
        },
      };
    case 'rejecting':
      return Promise.reject(new Error('rejected'));
    case 'throws-non-error':
      throw { not: 'an error' };
  }
}

/** One case: builds the arguments, submits the consumer, runs, and checks every invariant. */
export async function runCase(
  shapes: readonly Shape[],
  result: ResultKind,
  retries: number,
): Promise<void> {
  const sch = new Scheduler();
  const Q = new Queue(sch, { concurrency: 2, name: 'fuzz' });
  const ends = new Map<number, number>();
  sch.on('task:end', (e) => ends.set(e.id, (ends.get(e.id) ?? 0) + 1));
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    const ctx: Ctx = { Q, afterSubmit: [], failing: [] };
    const built = shapes.map((s) => build(s, ctx));
    const args = built.map((b) => b.value);
    let consumer: Future<unknown> | undefined;
    try {
      consumer = Q.options({ name: 'consumer', retries }).submit(
        (...got: unknown[]) => resultOf(result, got),
        ...args,
      );
    } catch (error) {
      // A refusal at submit: a TypeError naming the task, and nothing of it queued.
      assert.ok(error instanceof TypeError, `refused with ${String(error)}`);
      assert.match(error.message, /consumer/);
      assert.ok(!built.every((b) => b.comparable), 'only hostile arguments are refused');
    }
    for (const revoke of ctx.afterSubmit) revoke();
    sch.start();
    let failure: unknown;
    await within(
      sch.wait().catch((error: unknown) => {
        failure = error;
      }),
      10_000,
      'wait()',
    );
    if (failure !== undefined) assert.ok(failure instanceof TaskFailedError, String(failure));
    const stats = sch.stats().total;
    assert.equal(stats.running, 0, 'no slot lost');
    assert.equal(stats.waiting + stats.ready, 0, 'every task settled');
    for (const [id, n] of ends) assert.equal(n, 1, `one task:end for task ${id}`);
    if (consumer !== undefined) {
      assert.equal(ends.get(consumer.id), 1, 'the consumer ended once');
      checkConsumer(consumer, built, result, ctx.failing.length > 0);
    }
    // The queue still serves.
    const probe = Q.submit(() => 'probe');
    await within(
      sch.wait().catch(() => undefined),
      10_000,
      'wait() for the probe',
    );
    assert.equal(probe.status, 'done');
    await sch.close();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
}

function checkConsumer(
  consumer: Future<unknown>,
  built: readonly Built[],
  result: ResultKind,
  depFails: boolean,
): void {
  const comparable = built.every((b) => b.comparable);
  if (consumer.status === 'done') {
    assert.ok(!depFails, 'a consumer of a failed task never runs');
    assert.ok(
      result === 'args' || result === 'thenable-thrice' || result === 'then-throws-after-ok',
      `done with result kind ${result}`,
    );
    if (comparable) {
      assert.deepStrictEqual(
        consumer.result(),
        built.map((b) => b.expected),
      );
    }
    return;
  }
  assert.equal(consumer.status, depFails ? 'cancelled' : 'failed');
  let error: unknown;
  try {
    consumer.result();
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof Error, `failed with an Error, got ${String(error)}`);
  if (depFails) {
    assert.ok(error instanceof DependencyError, `a failed producer cancels: ${error.name}`);
    return;
  }
  if (error instanceof ArgumentError) {
    assert.ok(!comparable, 'ArgumentError only for hostile arguments');
    assert.match(error.message, /consumer/);
    return;
  }
  const expectedFailure =
    result === 'then-getter-throws' ||
    result === 'rejecting' ||
    result === 'throws-non-error' ||
    !comparable;
  assert.ok(expectedFailure, `failed with ${error.name}: ${error.message} (result ${result})`);
}

/** The property for fast-check: a few arguments, a result kind, retries. */
export function valuesProperty(): fc.IAsyncProperty<[Shape[], ResultKind, number]> {
  return fc.asyncProperty(
    fc.array(shapeArb, { minLength: 0, maxLength: 4 }),
    resultArb,
    fc.constantFrom(0, 0, 1),
    (shapes, result, retries) => runCase(shapes, result, retries),
  );
}
