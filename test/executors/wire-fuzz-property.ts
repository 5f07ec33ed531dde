/**
 * The boundary fuzzer of the worker-side wire (issue 13): fast-check generates what a task on
 * threads() or processes() throws, returns, yields or sends (test/fixtures/hostile-tasks.ts
 * builds it in the worker from a plain description), runs it on real pools, and checks that
 * every task settles exactly once (done with an equal copy of plain data, or failed with an
 * Error; the wire's own failures name the task), that the pool goes on serving, that
 * `stats().running` returns to 0, and that nothing escapes into the scheduler's process as an
 * unhandled rejection or uncaught exception. Run short by wire-fuzz.test.ts and long by
 * test/reliability/boundary/wire-long.ts.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { type Executor, type Future, Queue, Scheduler } from '../../src/index.js';
import type { Action, Shape } from '../fixtures/hostile-tasks.js';
import * as H from './hostile-refs.js';

/** Plain data that crosses as it is (no own `__proto__` keys: the argument fuzzer has those). */
const data: fc.Arbitrary<unknown> = fc.anything({
  maxDepth: 2,
  maxKeys: 4,
  key: fc.string({ maxLength: 6 }).filter((key) => key !== '__proto__'),
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withTypedArray: true,
  withSparseArray: true,
});

const PROTOTYPE_KEYS = ['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf'];

const errorName: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS, 'Error', 'TypeError', 'AggregateError', 'DataCloneError'),
  fc.string({ maxLength: 8 }),
  data,
);

const fieldKey = fc.oneof(
  fc.constantFrom(...PROTOTYPE_KEYS, 'code', 'stack', 'message', 'name', 'cause'),
  fc.string({ maxLength: 5 }),
);

const { shape } = fc.letrec<{ shape: Shape }>((tie) => ({
  shape: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ t: fc.constant('data' as const), v: data }),
    fc.record(
      {
        t: fc.constant('error' as const),
        cls: fc.constantFrom('Error', 'TypeError', 'RangeError', 'Custom', 'DOMException'),
        name: errorName,
        message: fc.oneof(fc.string({ maxLength: 8 }), data),
        fields: fc.array(fc.tuple(fieldKey, data), { maxLength: 3 }),
        cause: tie('shape'),
        cyclic: fc.boolean(),
        getters: fc.subarray(['name', 'message', 'stack', 'cause', 'keys'] as const),
        throws: tie('shape'),
      },
      { requiredKeys: ['t', 'cls'] },
    ),
    fc.record({
      t: fc.constant('proxy' as const),
      of: tie('shape'),
      mode: fc.constantFrom('open', 'revoked', 'throwing'),
    }),
    fc.constantFrom<Shape>({ t: 'function' }, { t: 'symbol' }, { t: 'promise' }, { t: 'weakmap' }),
    fc.record({ t: fc.constant('getter' as const), key: fieldKey, throws: tie('shape') }),
    fc.record({ t: fc.constant('then-throws' as const), throws: tie('shape') }),
    fc.record({
      t: fc.constant('object' as const),
      entries: fc.array(fc.tuple(fieldKey, tie('shape')), { maxLength: 3 }),
    }),
    fc.record({
      t: fc.constant('array' as const),
      items: fc.array(tie('shape'), { maxLength: 3 }),
    }),
  ),
}));

/** A message shaped more or less like the protocol's, with fields of any type. */
const rawMessage: fc.Arbitrary<unknown> = fc.oneof(
  data,
  fc.record(
    {
      kind: fc.oneof(fc.constantFrom('item', 'end', 'run', 'abort', 'stop'), data),
      key: fc.oneof(fc.nat(40), data),
      value: data,
      outcome: fc.oneof(
        data,
        fc.record({ ok: fc.oneof(fc.boolean(), data), value: data, error: data }),
        fc.record({
          ok: fc.constant(false),
          error: fc.record({
            kind: fc.constantFrom('error', 'value'),
            name: errorName,
            message: data,
            fields: data,
            cause: data,
          }),
        }),
      ),
      reason: data,
    },
    { requiredKeys: [] },
  ),
  fc.constantFrom('hello', { cmd: 'NODE_HANDLE_ACK' }, { cmd: 'NODE_X' }, { key: 1, reason: null }),
  fc.nat(3_000_000).map((n) => ({ big: 'x'.repeat(n) })),
);

/** One task's job: an action on a plain task, or items of a generator task. */
export type Case =
  | { readonly task: 'act'; readonly action: Action }
  | { readonly task: 'yield'; readonly items: readonly Shape[] };

export const caseArbitrary: fc.Arbitrary<Case> = fc.oneof(
  fc.record({
    task: fc.constant('act' as const),
    action: fc.oneof(
      fc.record({ do: fc.constantFrom('return', 'throw', 'reject', 'resolve'), what: shape }),
      fc.record({
        do: fc.constant('send' as const),
        what: rawMessage.map((v): Shape => ({ t: 'data', v })),
      }),
    ),
  }),
  fc.record({ task: fc.constant('yield' as const), items: fc.array(shape, { maxLength: 3 }) }),
);

/** True if `shape` builds plain data only: a task returning it must be done with a copy. */
function plain(shape: Shape): boolean {
  if (shape.t === 'data') return true;
  if (shape.t === 'array') return shape.items.every(plain);
  if (shape.t === 'object')
    return shape.entries.every(([key, v]) => key !== '__proto__' && plain(v));
  return false;
}

/** A scheduler with one queue on an executor, shared by the runs of one property. */
export interface Pool {
  readonly sch: Scheduler;
  readonly Q: Queue;
  /** How many times each task ended (`task:end`), by id. */
  readonly ends: Map<number, number>;
}

export function openPool(executor: Executor): Pool {
  const sch = new Scheduler({ record: false });
  const Q = new Queue(sch, { concurrency: 2, executor, name: 'wire-fuzz' });
  const ends = new Map<number, number>();
  sch.on('task:end', (event) => ends.set(event.id, (ends.get(event.id) ?? 0) + 1));
  sch.start();
  return { sch, Q, ends };
}

/** Milliseconds a case may take before it counts as never settling. */
const SETTLE_BOUND_MS = 30_000;

async function settle(future: Future<unknown>): Promise<{ value?: unknown; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const never = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`task ${future.id} did not settle in ${SETTLE_BOUND_MS} ms`)),
      SETTLE_BOUND_MS,
    );
  });
  try {
    return { value: await Promise.race([future, never]) };
  } catch (error) {
    if (error instanceof Error && /did not settle/.test(error.message)) throw error;
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

function checkFailure(outcome: { error?: unknown }, what: string): Error {
  assert.ok(
    outcome.error instanceof Error,
    `${what}: failed with an Error, got ${typeof outcome.error}`,
  );
  assert.equal(typeof outcome.error.message, 'string');
  return outcome.error;
}

/** Runs one case on the pool and checks its ending. */
async function runCase(pool: Pool, job: Case): Promise<number[]> {
  if (job.task === 'yield') {
    const stream = pool.Q.submit(H.yieldAll, job.items);
    let failed = false;
    for (let i = 0; i < job.items.length; i++) {
      const item = await settle(stream.at(i));
      const shapeOf = job.items[i] as Shape;
      if ('error' in item) {
        checkFailure(item, `item ${i}`);
        failed = true;
        break;
      }
      if (shapeOf.t === 'data') assert.deepStrictEqual(item.value, shapeOf.v);
    }
    const whole = await settle(stream);
    if (failed) checkFailure(whole, 'the stream');
    return [stream.id];
  }
  const future = pool.Q.submit(H.act, job.action);
  const outcome = await settle(future);
  const { action } = job;
  const label = new RegExp(`task ${future.id} \\(act\\)`, 'i');
  if (action.do === 'send') {
    if ('error' in outcome) checkFailure(outcome, 'a send');
  } else if ((action.do === 'return' || action.do === 'resolve') && plain(action.what)) {
    assert.ok(!('error' in outcome), `plain data comes back: ${String(outcome.error)}`);
    if (action.what.t === 'data') assert.deepStrictEqual(outcome.value, action.what.v);
  } else if (action.do === 'throw' || action.do === 'reject') {
    const error = checkFailure(outcome, 'a throw');
    if (action.what.t === 'data')
      assert.match(error.message, label, 'NonErrorThrown names the task');
  } else if ('error' in outcome) {
    checkFailure(outcome, 'a result that cannot be copied');
  }
  return [future.id];
}

/** Errors that escaped into the scheduler's process while the property ran. */
export function watchEscapes(): { escaped: unknown[]; stop: () => void } {
  const escaped: unknown[] = [];
  const record = (error: unknown): void => {
    escaped.push(error);
  };
  process.on('unhandledRejection', record);
  process.on('uncaughtExceptionMonitor', record);
  return {
    escaped,
    stop: () => {
      process.off('unhandledRejection', record);
      process.off('uncaughtExceptionMonitor', record);
    },
  };
}

/**
 * The property: a batch of cases runs at once on `pool`; each task ends exactly once, the pool
 * then runs a plain task, nothing is left running, and nothing escaped.
 */
export function wireProperty(pool: Pool, escaped: unknown[]) {
  return fc.asyncProperty(fc.array(caseArbitrary, { minLength: 1, maxLength: 4 }), async (jobs) => {
    const ids = (await Promise.all(jobs.map((job) => runCase(pool, job)))).flat();
    assert.equal(await pool.Q.submit(H.add, 1, 2), 3, 'the pool goes on serving');
    assert.equal(pool.sch.stats().total.running, 0, 'nothing is left running');
    for (const id of ids) assert.equal(pool.ends.get(id), 1, `task ${id} ended exactly once`);
    assert.deepEqual(escaped, [], 'nothing escaped into the scheduler process');
  });
}
