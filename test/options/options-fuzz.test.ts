/**
 * Fuzzes every call of the public API that takes options (fast-check): options objects built
 * from known keys, misspellings, `__proto__` and arbitrary names, holding arbitrary values,
 * special numbers, functions, getters that throw, Proxies (revoked or with throwing traps) and
 * JSON-parsed objects. Each call either accepts (and then works: a task submitted with accepted
 * options settles) or refuses with a `TypeError`, `RangeError` or `Error` whose message starts
 * with the call, and a refused `new Queue()` leaves no trace: no queue, nothing attached.
 *
 * `OPTIONS_FUZZ_RUNS=5000 node --import tsx --test test/options/options-fuzz.test.ts` runs
 * longer (default 150 cases per call).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Executor } from '../../src/executors/executor.js';
import {
  type Future,
  processes,
  Queue,
  Scheduler,
  type TaskOptions,
  task,
  threads,
} from '../../src/index.js';
import { FIXTURES } from '../executors/fixture-refs.js';
import { within } from '../helpers/gates.js';

const RUNS = Number(process.env.OPTIONS_FUZZ_RUNS ?? '') || 150;

/** Cases run per call, for the closing report. */
const ran: Record<string, number> = {};

/**
 * A value made only inside the property: fast-check itself probes the values it generates
 * (`cloneMethod in value`), which a revoked Proxy or a throwing trap would break.
 */
class Lazy {
  constructor(
    readonly label: string,
    readonly make: () => unknown,
  ) {}
  toString(): string {
    return this.label;
  }
}

/**
 * A copy of `value` with its `Lazy` values (at the top level and one level down) replaced by
 * what they make; the generated value itself is left as it was, for fast-check to shrink.
 */
function materialize(value: unknown): unknown {
  if (value instanceof Lazy) return value.make();
  if (
    value === null ||
    typeof value !== 'object' ||
    Object.getPrototypeOf(value) !== Object.prototype
  ) {
    return value;
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    Object.defineProperty(copy, key, {
      value: item instanceof Lazy ? item.make() : item,
      enumerable: true,
      writable: true,
    });
  }
  return copy;
}

function revokedProxy(): object {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

function throwingGetter(key: string): object {
  return Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw new Error('getter threw');
    },
  });
}

function trappedProxy(trap: 'get' | 'ownKeys' | 'getOwnPropertyDescriptor'): object {
  return new Proxy(
    { concurrency: 1 },
    {
      [trap]() {
        throw new RangeError(`${trap} trap threw`);
      },
    },
  );
}

/** Values a careless or hostile caller may put in an option. */
function hostileValue(extra: readonly unknown[] = []): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom<unknown>(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      -0,
      0,
      1,
      2,
      1.5,
      -1,
      2 ** 31 - 1,
      2 ** 31,
      3e9,
      2 ** 53,
      '2',
      '',
      'threads',
      'task:end',
      true,
      false,
      null,
      undefined,
      [],
      ['--enable-source-maps'],
      ['--max-old-space-size=64'],
      [1],
      {},
      { gpu: 1 },
      { gpu: -1 },
      { maxOldGenerationSizeMb: 64 },
      { maxOldGenerationSizeMb: 0 },
      Symbol('s'),
      10n,
      () => 1,
      threads,
      new AbortController().signal,
      AbortSignal.abort(),
      ...extra,
    ),
    fc.constant(new Lazy('revoked Proxy', revokedProxy)),
    fc.constant(null).map(() => JSON.parse('{"__proto__": {"gpu": 1}}') as unknown),
    fc.constant(new Lazy('throwing getter', () => throwingGetter('gpu'))),
    fc.anything({ maxDepth: 2 }),
  );
}

/** An options object with keys from `known`, misspellings, `__proto__` and any name. */
function hostileOptions(known: readonly string[], extra: readonly unknown[] = []) {
  const key = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...known) },
    { weight: 1, arbitrary: fc.constantFrom(...known.map((k) => k.toLowerCase()), '__proto__') },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
  );
  const entries = fc.array(fc.tuple(key, hostileValue(extra)), { maxLength: 4 });
  const plain = entries.map((pairs) => {
    const object: Record<string, unknown> = {};
    for (const [k, v] of pairs) {
      Object.defineProperty(object, k, { value: v, enumerable: true, writable: true });
    }
    return object as unknown;
  });
  return fc.oneof(
    { weight: 8, arbitrary: plain },
    { weight: 1, arbitrary: hostileValue(extra) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom('get', 'ownKeys', 'getOwnPropertyDescriptor' as const)
        .map((trap) => new Lazy(`${trap} trap`, () => trappedProxy(trap as 'get'))),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...known)
        .map((k) => new Lazy(`throwing ${k}`, () => throwingGetter(k))),
    },
  );
}

/** Runs `fn`; if it throws, checks the refusal's class and that it names `call`. */
function acceptOrRefuse<T>(call: string, fn: () => T): { ok: true; value: T } | { ok: false } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    assert.ok(error instanceof Error, `${call} threw a non-Error: ${String(error)}`);
    assert.ok(
      ['TypeError', 'RangeError', 'Error'].includes(error.name),
      `${call} threw ${error.name}: ${error.message}`,
    );
    assert.ok(error.message.startsWith(`${call}: `), `the message names ${call}: ${error.message}`);
    return { ok: false };
  }
}

function spy(attached: string[]): Executor {
  return {
    kind: 'spy',
    attach: (queue) => void attached.push(queue.name),
    refuse: () => undefined,
    run: (fn, args) => fn(...args),
    close: () => Promise.resolve(),
  };
}

function count(name: string): void {
  ran[name] = (ran[name] ?? 0) + 1;
}

describe('options fuzzer: every call accepts or refuses cleanly', () => {
  test('new Scheduler(options)', () => {
    fc.assert(
      fc.property(hostileOptions(['failFast', 'record']), (options) => {
        count('new Scheduler()');
        const made = acceptOrRefuse(
          'new Scheduler()',
          () => new Scheduler(materialize(options) as never),
        );
        if (made.ok) assert.equal(made.value.running, false);
      }),
      { numRuns: RUNS },
    );
  });

  test('new Queue(sch, options): a refused queue leaves no trace', () => {
    const sch = new Scheduler();
    const attached: string[] = [];
    const executor = spy(attached);
    fc.assert(
      fc.property(
        hostileOptions(['concurrency', 'name', 'resources', 'executor'], [executor]),
        (options) => {
          count('new Queue()');
          const queues = Object.keys(sch.stats().queues).length;
          const attachedBefore = attached.length;
          const made = acceptOrRefuse(
            'new Queue()',
            () => new Queue(sch, materialize(options) as never),
          );
          const now = Object.keys(sch.stats().queues).length;
          if (!made.ok) {
            assert.equal(now, queues, 'no queue added');
            assert.equal(attached.length, attachedBefore, 'nothing attached');
            return;
          }
          assert.equal(now, queues + 1);
          assert.ok(Number.isSafeInteger(made.value.concurrency) && made.value.concurrency >= 1);
          assert.equal(typeof made.value.name, 'string');
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('Q.options(options).submit(fn): refused at the call, or the task settles', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileOptions(
          ['name', 'resources', 'after', 'hold', 'release', 'retries', 'timeout', 'signal'],
          ['held', 'plain', 'foreign', 'proxied'],
        ),
        async (raw) => {
          count('Q.options()');
          const sch = new Scheduler();
          const Q = new Queue(sch, { concurrency: 2, name: 'q', resources: { gpu: 2 } });
          const plain = Q.submit(() => 0);
          const held = Q.options({ hold: true }).submit(() => 0);
          const foreign = new Queue(new Scheduler()).submit(() => 0);
          const proxied = new Proxy(plain, {});
          const stand: Record<string, Future<number>> = { plain, held, foreign, proxied };
          // The futures stand in for the string placeholders, one level deep.
          let options: unknown = materialize(raw);
          if (
            !(raw instanceof Lazy) &&
            options !== null &&
            typeof options === 'object' &&
            Object.getPrototypeOf(options) === Object.prototype
          ) {
            const copy: Record<string, unknown> = {};
            for (const [k, v] of Object.entries(options)) {
              Object.defineProperty(copy, k, {
                value: typeof v === 'string' && v in stand ? stand[v] : v,
                enumerable: true,
              });
            }
            options = copy;
          }
          const bound = acceptOrRefuse('q.options()', () => Q.options(options as TaskOptions));
          if (bound.ok) {
            try {
              bound.value.submit(() => 1);
            } catch (error) {
              // What only the queue can tell: a resource it lacks, a release of a task that
              // does not hold. These name the task.
              assert.ok(error instanceof Error);
              assert.match(error.message, /^Task `/);
            }
          }
          sch.start();
          // Held tasks nobody releases end in DeadlockError: every run ends.
          await within(
            sch.wait().catch(() => {}),
            5000,
            'the scheduler settles every accepted task',
          );
          const total = sch.stats().total;
          assert.equal(total.waiting + total.ready + total.running, 0, 'nothing left unsettled');
        },
      ),
      { numRuns: RUNS, includeErrorInReport: true },
    );
  });

  test('threads(options) and processes(options)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('threads', 'processes'),
        hostileOptions(['abortGrace', 'execArgv', 'resourceLimits']),
        (kind, options) => {
          count(`${kind}()`);
          const make = kind === 'threads' ? threads : processes;
          const made = acceptOrRefuse(`${kind}()`, () => make(materialize(options) as never));
          if (made.ok) assert.equal(made.value.kind, kind);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("task(url, 'add', options)", () => {
    fc.assert(
      fc.property(hostileOptions(['generator', 'numberOfResults']), (options) => {
        count('task()');
        const made = acceptOrRefuse("task(…, 'add')", () =>
          task(FIXTURES, 'add', materialize(options) as never),
        );
        if (made.ok) assert.equal(typeof made.value, 'function');
      }),
      { numRuns: RUNS },
    );
  });

  test('sch.on(name, listener) and sch.off(name, listener)', () => {
    const sch = new Scheduler();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom('task:start', 'task:retry', 'task:end', 'task:item', 'idle'),
          hostileValue(),
        ),
        fc.oneof(
          fc.constant(() => {}),
          hostileValue(),
        ),
        (name, listener) => {
          count('sch.on()');
          const n = materialize(name);
          const l = materialize(listener);
          const on = acceptOrRefuse('sch.on()', () => sch.on(n as never, l as never));
          const off = acceptOrRefuse('sch.off()', () => sch.off(n as never, l as never));
          assert.equal(on.ok, off.ok, 'on() and off() accept the same arguments');
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('cases run', () => {
    console.log(`options fuzzer: cases run per call ${JSON.stringify(ran)}`);
    assert.ok(Object.keys(ran).length >= 7);
  });
});
