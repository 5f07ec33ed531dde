/**
 * The options objects of the public API, tried as a hostile or careless caller would: misspelt
 * keys, wrong kinds, getters that change or throw, Proxies, own `__proto__` keys, timers too
 * long for `setTimeout`. Each is refused at the call, with the call and the option named, and
 * before any side effect (docs/errors.md lists the refusals).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Executor } from '../../src/executors/executor.js';
import { processes, Queue, Scheduler, type TaskOptions, task, threads } from '../../src/index.js';
import { FIXTURES } from '../executors/fixture-refs.js';

/** Asserts `fn` throws `kind` with a message holding each of `parts`. */
function refuses(
  fn: () => unknown,
  kind: typeof TypeError | typeof RangeError | typeof Error,
  ...parts: string[]
) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof kind, `${String(e)} is a ${kind.name}`);
    assert.equal((e as Error).name, kind.name);
    for (const part of parts) {
      assert.ok((e as Error).message.includes(part), `"${(e as Error).message}" says "${part}"`);
    }
    return true;
  });
}

/** An executor that runs inline and records the queues that attach to it. */
function spyExecutor(attached: string[]): Executor {
  return {
    kind: 'spy',
    attach(queue) {
      attached.push(queue.name);
    },
    refuse: () => undefined,
    run: (fn, args) => fn(...args),
    close: () => Promise.resolve(),
  };
}

describe('item 11: Q.options(o) takes a snapshot of o', () => {
  test('changing o after options() changes nothing, and submit never throws after queueing', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'q' });
    const controller = new AbortController();
    const o: TaskOptions = { name: 'first', signal: controller.signal, retries: 1 };
    const bound = Q.options(o);
    (o as Record<string, unknown>).signal = 'not a signal';
    o.name = 'second';
    o.retries = -5;
    let runs = 0;
    const f = bound.submit(() => ++runs);
    const g = bound.submit(() => ++runs);
    assert.equal(f.name, 'first');
    assert.equal(sch.stats().total.ready, 2);
    sch.start();
    await sch.wait();
    assert.deepEqual([f.result(), g.result()].sort(), [1, 2]);
  });

  test('an `after` array changed after options() changes nothing; its futures are checked there', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'q' });
    const first = Q.submit(() => 1);
    const deps: unknown[] = [first];
    const bound = Q.options({ after: deps as never });
    deps.push(42);
    const later = bound.submit(() => 2);
    refuses(
      () => Q.options({ after: [first, 42] as never }),
      TypeError,
      'q.options(): `after` must be a Future or an array of Futures, got `42` (number).',
    );
    sch.start();
    await sch.wait();
    assert.equal(later.result(), 2);
  });

  test('a getter is read once, at options()', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { name: 'q' });
    let reads = 0;
    const o = {
      get name() {
        reads++;
        return `read-${reads}`;
      },
    };
    const bound = Q.options(o);
    const names = [bound.submit(() => 1).name, bound.submit(() => 2).name];
    assert.deepEqual(names, ['read-1', 'read-1']);
    assert.equal(reads, 1);
    sch.start();
    await sch.wait();
  });
});

describe('item 12: queue names are unique, stats() is safe for any name', () => {
  test('a second queue with a name already taken is refused, before its executor grows', () => {
    const sch = new Scheduler();
    const attached: string[] = [];
    new Queue(sch, { name: 'io', executor: spyExecutor(attached) });
    refuses(
      () => new Queue(sch, { name: 'io', executor: spyExecutor(attached) }),
      Error,
      'new Queue(): this scheduler already has a queue named `io`',
    );
    assert.deepEqual(attached, ['io']);
    assert.deepEqual(Object.keys(sch.stats().queues), ['io']);
  });

  test('default names skip names already taken', () => {
    const sch = new Scheduler();
    new Queue(sch, { name: 'queue-2' });
    const second = new Queue(sch);
    const third = new Queue(sch);
    assert.deepEqual(
      [second.name, third.name].every((n) => n !== 'queue-2'),
      true,
    );
    assert.equal(new Set(Object.keys(sch.stats().queues)).size, 3);
  });

  test('queues named __proto__, constructor or toString each have their own entry', async () => {
    const sch = new Scheduler();
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
    names.forEach((name, i) => {
      const Q = new Queue(sch, { name, concurrency: 1 });
      for (let k = 0; k <= i; k++) Q.submit(() => k);
    });
    sch.start();
    await sch.wait();
    const stats = sch.stats();
    assert.deepEqual(Object.keys(stats.queues), names);
    names.forEach((name, i) => {
      assert.ok(Object.hasOwn(stats.queues, name), name);
      assert.equal(stats.queues[name]?.done, i + 1, name);
    });
    assert.equal(stats.queues.valueOf, undefined, 'no inherited entries');
    const sum = Object.values(stats.queues).reduce((n, counts) => n + counts.done, 0);
    assert.equal(sum, stats.total.done);
  });
});

describe('item 18: new Queue() refuses what is not an executor', () => {
  for (const executor of [5, {}, 'threads', null, { run() {} }, threads]) {
    test(`executor: ${String(executor).slice(0, 20)}`, () => {
      const sch = new Scheduler();
      refuses(
        () => new Queue(sch, { executor: executor as never }),
        TypeError,
        'new Queue(): `executor` must be an executor',
      );
      assert.deepEqual(Object.keys(sch.stats().queues), []);
    });
  }
});

describe('item 19: on() and off() refuse unknown events and non-functions', () => {
  const sch = new Scheduler();
  test("on('task:end', 5) and on('task:end', null)", () => {
    for (const listener of [5, null, undefined, {}]) {
      refuses(
        () => sch.on('task:end', listener as never),
        TypeError,
        'sch.on(): `listener` must be a function',
      );
      refuses(
        () => sch.off('task:end', listener as never),
        TypeError,
        'sch.off(): `listener` must be a function',
      );
    }
  });
  test("on('task:ended', fn) lists the event names", () => {
    for (const name of ['task:ended', '__proto__', 'constructor', 5]) {
      refuses(
        () => sch.on(name as never, () => {}),
        TypeError,
        'sch.on(): `name` must be one of',
        "'task:start', 'task:retry', 'task:end', 'task:item', 'idle'",
      );
    }
  });
});

describe('item 20: misspelt options are refused with the known ones', () => {
  test('new Scheduler({ failfast })', () =>
    refuses(
      () => new Scheduler({ failfast: true } as never),
      TypeError,
      'new Scheduler(): unknown option `failfast` (did you mean `failFast`?)',
      'The options are: failFast, record.',
    ));
  test('new Queue(sch, { concurency })', () =>
    refuses(
      () => new Queue(new Scheduler(), { concurency: 2 } as never),
      TypeError,
      'new Queue(): unknown option `concurency` (did you mean `concurrency`?)',
      'The options are: concurrency, name, resources, executor.',
    ));
  test('threads({ abortgrace }) and processes({ abortgrace })', () => {
    for (const [make, call] of [
      [threads, 'threads()'],
      [processes, 'processes()'],
    ] as const) {
      refuses(
        () => make({ abortgrace: 5 } as never),
        TypeError,
        `${call}: unknown option \`abortgrace\` (did you mean \`abortGrace\`?)`,
      );
    }
  });
  test("task(url, 'add', { generater })", () =>
    refuses(
      () => task(FIXTURES, 'add', { generater: true } as never),
      TypeError,
      "task(…, 'add'): unknown option `generater` (did you mean `generator`?)",
      'The options are: generator, numberOfResults.',
    ));
});

describe('item 21: timers capped, everything checked before any side effect', () => {
  test('abortGrace above 2^31 - 1 ms is refused (setTimeout would fire after 1 ms)', () => {
    for (const make of [threads, processes]) {
      refuses(() => make({ abortGrace: 3e9 }), RangeError, '`abortGrace` must be', '2^31 - 1');
    }
  });

  test('new Queue(sch, null) names the call', () => {
    refuses(
      () => new Queue(new Scheduler(), null as never),
      TypeError,
      'new Queue(): the options must be an object',
    );
  });

  test('a queue refused for its resources does not attach to its executor', () => {
    const sch = new Scheduler();
    const attached: string[] = [];
    const executor = spyExecutor(attached);
    refuses(
      () => new Queue(sch, { name: 'bad', executor, resources: { gpu: -1 } }),
      RangeError,
      '`resources.gpu` must be a finite number from 0 up',
    );
    assert.deepEqual(attached, []);
    new Queue(sch, { name: 'good', executor });
    assert.deepEqual(attached, ['good']);
  });
});

describe('hostile options objects', () => {
  test('getters that throw and revoked Proxies are refused with the call named', () => {
    const throwing = {
      get concurrency(): number {
        throw new Error('no');
      },
    };
    refuses(
      () => new Queue(new Scheduler(), throwing),
      TypeError,
      'new Queue(): could not read `concurrency`',
    );
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    refuses(() => new Scheduler(proxy), TypeError, 'new Scheduler(): could not read');
    refuses(() => threads(proxy), TypeError, 'threads(): could not read');
    refuses(() => new Queue(new Scheduler()).options(proxy), TypeError, 'could not read');
  });

  test('found by the fuzzer: a revoked Proxy as signal, a Proxy of a future in after', () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { name: 'q' });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    refuses(
      () => Q.options({ signal: proxy as never }),
      TypeError,
      'q.options(): `signal` must be an AbortSignal',
    );
    const proxied = new Proxy(
      Q.submit(() => 1),
      {},
    );
    refuses(
      () => Q.options({ after: proxied }),
      TypeError,
      'q.options(): `after` must be a Future or an array of Futures',
    );
  });

  test('an own __proto__ key (as JSON.parse makes) is an unknown option', () => {
    const parsed = JSON.parse('{"__proto__": {"failFast": true}}') as never;
    refuses(() => new Scheduler(parsed), TypeError, 'unknown option `__proto__`');
    refuses(() => new Queue(new Scheduler(), parsed), TypeError, 'unknown option `__proto__`');
    refuses(() => threads(parsed), TypeError, 'unknown option `__proto__`');
  });

  test('NaN, Infinity, -0 and strings for numbers', () => {
    const sch = new Scheduler();
    for (const concurrency of [Number.NaN, Number.POSITIVE_INFINITY, -0, 0.5]) {
      refuses(
        () => new Queue(sch, { concurrency }),
        RangeError,
        'new Queue(): `concurrency` must be a positive integer',
      );
    }
    refuses(() => new Queue(sch, { concurrency: '2' as never }), TypeError, 'got `2` (string)');
    refuses(() => threads({ abortGrace: Number.NaN }), RangeError, 'threads(): `abortGrace`');
    assert.deepEqual(Object.keys(sch.stats().queues), []);
  });
});

describe('hostile task functions at submit', () => {
  test('a name getter that throws or gives a non-string: the task is `anonymous`', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { name: 'q' });
    const throwing = () => 1;
    Object.defineProperty(throwing, 'name', {
      get() {
        throw new Error('name getter');
      },
    });
    const numeric = () => 2;
    Object.defineProperty(numeric, 'name', { value: 5 });
    const a = Q.submit(throwing);
    const b = Q.submit(numeric);
    assert.deepEqual([a.name, b.name], ['anonymous', 'anonymous']);
    sch.start();
    await sch.wait();
    assert.deepEqual([a.result(), b.result()], [1, 2]);
  });

  test('a numberOfResults getter that throws is refused naming the task; nothing queued', () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { name: 'q' });
    function* squares(): Generator<number> {
      yield 1;
    }
    Object.defineProperty(squares, 'numberOfResults', {
      get() {
        throw new Error('count getter');
      },
    });
    refuses(
      () => Q.submit(squares),
      Error,
      '`numberOfResults` of task `squares` threw, so nothing was queued',
      'count getter',
    );
    assert.equal(sch.stats().total.ready, 0);
  });
});
