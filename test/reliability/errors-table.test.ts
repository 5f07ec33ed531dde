/**
 * docs/errors.md, checked: every row of its tables has a case here with the same id, every
 * case has a row, and each case does what its row says and gets the row's class (by
 * `instanceof` and `name`) with a message that holds the row's quoted text. Refusals at submit
 * also queue nothing.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseWorkerArgs } from '../../src/cli/worker.js';
import { cluster } from '../../src/cluster/index.js';
import {
  ArgumentError,
  asCompleted,
  CancelledError,
  currentTask,
  DeadlockError,
  DependencyError,
  type Future,
  IndexError,
  NonErrorThrown,
  NotReadyError,
  processes,
  Queue,
  renderReport,
  Scheduler,
  StreamCountError,
  StreamReplayError,
  TaskFailedError,
  TimeoutError,
  task,
  threads,
  toDot,
  WorkerCrashedError,
  writeReport,
} from '../../src/index.js';
import * as T from '../executors/fixture-refs.js';
import * as H from '../executors/hostile-refs.js';

/** A Redis URL for refusals checked before any connection: nothing listens there. */
const REDIS_URL = 'redis://127.0.0.1:1';

const CLASSES: Record<string, new (...args: never[]) => Error> = {
  TaskFailedError,
  DependencyError,
  NonErrorThrown,
  NotReadyError,
  IndexError,
  TimeoutError,
  CancelledError,
  DeadlockError,
  ArgumentError,
  WorkerCrashedError,
  StreamCountError,
  StreamReplayError,
  TypeError,
  RangeError,
  Error,
};

interface Row {
  id: string;
  what: string;
  className: string;
  says: string;
}

/** The rows of every table in docs/errors.md. */
function readRows(): Row[] {
  const text = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| id |')) continue;
    const match = /^\| ([a-z0-9-]+) \| (.+) \| `(\w+)` \| "(.+)" \|$/.exec(line);
    assert.ok(
      match,
      `a table row of docs/errors.md has the shape | id | what | \`Class\` | "text" |: ${line}`,
    );
    const [, id, what, className, says] = match as unknown as [
      string,
      string,
      string,
      string,
      string,
    ];
    rows.push({ id, what, className, says });
  }
  return rows;
}

/** The error `fn` throws (or its promise rejects with); fails if it does neither. */
async function errorOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  assert.fail('expected an error');
}

/** A scheduler run to its end; returns the error `wait()` rejected with. */
async function waitError(
  build: (Q: Queue, sch: Scheduler) => void,
  concurrency = 2,
): Promise<unknown> {
  const sch = new Scheduler();
  const Q = new Queue(sch, { concurrency, name: 'work' });
  build(Q, sch);
  sch.start();
  return errorOf(() => sch.wait());
}

/** The error of the future `build` returns, from a queue on `executor` (closed after). */
async function failureOn<T>(
  executor: ReturnType<typeof threads>,
  build: (Q: Queue) => Future<T>,
): Promise<unknown> {
  const sch = new Scheduler();
  const Q = new Queue(sch, { concurrency: 1, executor, name: 'workers' });
  try {
    const future = build(Q);
    sch.start();
    return await errorOf(() => future);
  } finally {
    await sch.close();
  }
}

/** A refusal at submit: the error `submit` throws, after checking that nothing was queued. */
async function refusedAtSubmit(submit: (Q: Queue, sch: Scheduler) => unknown): Promise<unknown> {
  const sch = new Scheduler();
  const Q = new Queue(sch, { concurrency: 1, name: 'work', resources: { gpu: 2 } });
  const error = await errorOf(() => submit(Q, sch));
  const total = sch.stats().total;
  assert.equal(total.waiting + total.ready + total.running + total.done, 0, 'nothing was queued');
  return error;
}

/** A future of another scheduler. */
function foreignFuture(): Future<number> {
  return new Queue(new Scheduler()).submit(() => 1);
}

function* squares(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i * i;
}

const cases: Record<string, () => Promise<unknown>> = {
  // Failures while the graph runs.
  'task-failed': () =>
    waitError((Q) => {
      Q.submit(() => {
        throw new Error('boom');
      });
    }),
  'dependency-failed': async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch);
    const failing = Q.submit((): number => {
      throw new Error('boom');
    });
    const dependent = Q.submit((x: number) => x, failing);
    sch.start();
    await errorOf(() => sch.wait());
    return errorOf(() => dependent.result());
  },
  'non-error-thrown': async () => {
    const error = await waitError((Q) => {
      Q.submit(() => {
        throw 'a string';
      });
    });
    return (error as TaskFailedError).errors[0];
  },
  'not-ready': () => errorOf(() => new Queue(new Scheduler()).submit(() => 1).result()),
  'index-past-end': async () => {
    const sch = new Scheduler();
    const stream = new Queue(sch).submit(function* squares() {
      yield 1;
    });
    const past = stream.at(3);
    sch.start();
    await sch.wait();
    return errorOf(() => past);
  },
  timeout: async () => {
    const error = await waitError((Q) => {
      Q.options({ timeout: 20 }).submit(
        () =>
          new Promise((_, reject) => {
            const signal = currentTask()?.signal;
            signal?.addEventListener('abort', () => reject(signal.reason));
          }),
      );
    });
    return (error as TaskFailedError).errors[0];
  },
  cancelled: async () => {
    const sch = new Scheduler();
    const controller = new AbortController();
    const f = new Queue(sch).options({ signal: controller.signal }).submit(() => 1);
    controller.abort();
    return errorOf(() => f);
  },
  deadlock: () =>
    waitError((Q) => {
      Q.submit(() => 'needs the slot');
      Q.options({ hold: true }).submit(() => 'held'); // the newest: it runs first, and holds
    }, 1),
  'argument-unreadable': async () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    const error = await waitError((Q) => {
      const a = Q.submit(() => 1);
      Q.submit((v: unknown) => v, [a, proxy]);
      revoke();
    }, 1);
    return (error as TaskFailedError).errors[0];
  },
  'deadlock-await': () => {
    let started = 0;
    let bothStarted: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      bothStarted = resolve;
    });
    return waitError((Q) => {
      for (let i = 0; i < 2; i++) {
        Q.submit(async () => {
          if (++started === 2) bothStarted();
          await gate;
          const inner = Q.submit(() => i);
          return await inner;
        });
      }
    }, 2);
  },
  'deadlock-stuck-timeout': () =>
    waitError((Q) => {
      Q.submit(() => 'waits for the slot');
      Q.options({ timeout: 10 }).submit(() => new Promise(() => undefined));
    }, 1),
  'worker-crashed': () => failureOn(threads(), (Q) => Q.submit(T.exit, 3)),
  'stream-count': async () => {
    function* squares(): Generator<number> {
      yield 1;
    }
    squares.numberOfResults = () => 3;
    const error = await waitError((Q) => Q.submit(squares));
    return (error as TaskFailedError).errors[0];
  },
  'stream-replay': async () => {
    async function* shrinking(): AsyncGenerator<number> {
      const attempt = currentTask()?.attempt ?? 0;
      yield 1;
      if (attempt > 0) return;
      yield 2;
      throw new Error('first attempt fails after two items');
    }
    const error = await waitError((Q) => Q.options({ retries: 1 }).submit(shrinking));
    return (error as TaskFailedError).errors[0];
  },
  'export-missing': () => failureOn(threads(), (Q) => Q.submit(T.missing)),
  'export-is-generator': () => failureOn(threads(), (Q) => Q.submit(T.squaresUndeclared, 3)),
  'argument-not-copyable': () =>
    failureOn(processes(), (Q) => Q.submit(T.echo, { callback: () => 1 })),
  'result-not-copyable': () => failureOn(processes(), (Q) => Q.submit(T.returnFunction)),
  'timeline-off': () => errorOf(() => new Scheduler({ record: false }).timeline()),
  'item-not-copyable': () =>
    failureOn(threads(), (Q) => Q.submit(H.yieldAll, [{ t: 'function' }]).at(0)),
  'result-then-unreadable': () =>
    failureOn(processes(), (Q) =>
      Q.submit(H.act, { do: 'return', what: { t: 'then-throws', throws: { t: 'data', v: 1 } } }),
    ),
  'process-send-internal': () =>
    failureOn(processes(), (Q) => Q.submit(H.sendRaw, { cmd: 'NODE_HANDLE_ACK' })),

  // Refused when a scheduler, queue or executor is made.
  'scheduler-options': () => errorOf(() => new Scheduler(5 as never)),
  'fail-fast-type': () => errorOf(() => new Scheduler({ failFast: 'yes' as never })),
  'record-type': () => errorOf(() => new Scheduler({ record: 1 as never })),
  'queue-scheduler': () => errorOf(() => new Queue({} as never)),
  'concurrency-type': () =>
    errorOf(() => new Queue(new Scheduler(), { concurrency: '4' as never })),
  'concurrency-range': () => errorOf(() => new Queue(new Scheduler(), { concurrency: 1.5 })),
  'queue-name-type': () => errorOf(() => new Queue(new Scheduler(), { name: 7 as never })),
  'queue-resources-shape': () =>
    errorOf(() => new Queue(new Scheduler(), { resources: 5 as never })),
  'queue-resource-type': () =>
    errorOf(() => new Queue(new Scheduler(), { resources: { gpu: '1' as never } })),
  'queue-resource-range': () =>
    errorOf(() => new Queue(new Scheduler(), { resources: { gpu: -1 } })),
  'executor-in-use': async () => {
    const executor = threads();
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, executor });
    try {
      sch.start();
      assert.equal(await Q.submit(T.add, 1, 2), 3);
      return await errorOf(() => new Queue(sch, { executor }));
    } finally {
      await sch.close();
    }
  },
  'worker-options-shape': () => errorOf(() => threads(5 as never)),
  'abort-grace-type': () => errorOf(() => processes({ abortGrace: '1' as never })),
  'abort-grace-range': () => errorOf(() => threads({ abortGrace: -1 })),
  'exec-argv-type': () => errorOf(() => threads({ execArgv: [1] as never })),
  'task-ref-url': () => errorOf(() => task('https://example.com/tasks.js' as never, 'add')),
  'task-ref-export': () => errorOf(() => task(T.FIXTURES, '')),
  'task-ref-options': () => errorOf(() => task(T.FIXTURES, 'add', 5 as never)),
  'task-ref-generator': () => errorOf(() => task(T.FIXTURES, 'add', { generator: 1 as never })),
  'task-ref-count': () => errorOf(() => task(T.FIXTURES, 'add', { numberOfResults: () => 1 })),
  'options-unknown-key': () =>
    errorOf(() => new Queue(new Scheduler(), { concurency: 2 } as never)),
  'options-unreadable': () =>
    errorOf(
      () =>
        new Scheduler({
          get failFast(): boolean {
            throw new Error('unreadable');
          },
        }),
    ),
  'queue-name-taken': () => {
    const sch = new Scheduler();
    new Queue(sch, { name: 'io' });
    return errorOf(() => new Queue(sch, { name: 'io' }));
  },
  'queue-executor': () => errorOf(() => new Queue(new Scheduler(), { executor: 5 as never })),
  'thread-exec-argv': () => errorOf(() => threads({ execArgv: ['--max-old-space-size=512'] })),
  'thread-resource-limits': () =>
    errorOf(() => threads({ resourceLimits: { maxOldGenerationSizeMb: 0 } })),

  // Refused at submit.
  'submit-not-function': () => refusedAtSubmit((Q) => Q.submit(42 as never)),
  'submit-closure-on-workers': async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, executor: processes() });
    try {
      const error = await errorOf(() => Q.submit((x: number) => x, 1));
      assert.equal(sch.stats().total.waiting, 0, 'nothing was queued');
      return error;
    } finally {
      await sch.close();
    }
  },
  'foreign-future': () => refusedAtSubmit((Q) => Q.submit((x: number) => x, foreignFuture())),
  'arguments-unreadable': () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    return errorOf(() => new Queue(new Scheduler()).submit((v: unknown) => v, [proxy]));
  },
  'count-not-function': () =>
    refusedAtSubmit((Q) => {
      function* squares(): Generator<number> {}
      squares.numberOfResults = 3;
      return Q.submit(squares);
    }),
  'count-range': () =>
    refusedAtSubmit((Q) => {
      function* squares(): Generator<number> {}
      squares.numberOfResults = () => -1;
      return Q.submit(squares);
    }),
  'options-shape': () => refusedAtSubmit((Q) => Q.options(5 as never).submit(() => 1)),
  'options-unknown': () => refusedAtSubmit((Q) => Q.options({ retry: 2 } as never).submit(() => 1)),
  'option-name-type': () => refusedAtSubmit((Q) => Q.options({ name: 1 as never }).submit(() => 1)),
  'option-hold-type': () =>
    refusedAtSubmit((Q) => Q.options({ hold: 'yes' as never }).submit(() => 1)),
  'option-retries-type': () =>
    refusedAtSubmit((Q) => Q.options({ retries: '2' as never }).submit(() => 1)),
  'option-retries-range': () => refusedAtSubmit((Q) => Q.options({ retries: -1 }).submit(() => 1)),
  'option-timeout-type': () =>
    refusedAtSubmit((Q) => Q.options({ timeout: '5' as never }).submit(() => 1)),
  'option-timeout-range': () => refusedAtSubmit((Q) => Q.options({ timeout: 0 }).submit(() => 1)),
  'option-signal-type': () =>
    refusedAtSubmit((Q) => Q.options({ signal: {} as never }).submit(() => 1)),
  'option-after-type': () =>
    refusedAtSubmit((Q) => Q.options({ after: [Promise.resolve(1)] as never }).submit(() => 1)),
  'option-after-foreign': () =>
    refusedAtSubmit((Q) => Q.options({ after: foreignFuture() }).submit(() => 1)),
  'release-not-held': async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch);
    const plain = Q.submit(() => 1);
    const error = await errorOf(() => Q.options({ release: plain }).submit(() => 2));
    const total = sch.stats().total;
    assert.equal(total.waiting + total.ready, 1, 'only the first task was queued');
    return error;
  },
  'task-resources-shape': () =>
    refusedAtSubmit((Q) => Q.options({ resources: [1] as never }).submit(() => 1)),
  'task-resource-type': () =>
    refusedAtSubmit((Q) => Q.options({ resources: { gpu: '1' as never } }).submit(() => 1)),
  'task-resource-range': () =>
    refusedAtSubmit((Q) => Q.options({ resources: { gpu: Number.NaN } }).submit(() => 1)),
  'resource-missing': () =>
    refusedAtSubmit((Q) => Q.options({ resources: { tpu: 1 } }).submit(() => 1)),
  'resource-too-much': () =>
    refusedAtSubmit((Q) => Q.options({ resources: { gpu: 3 } }).submit(() => 1)),

  // Refused by other calls.
  'at-type': () => errorOf(() => new Queue(new Scheduler()).submit(squares, 2).at('1' as never)),
  'at-range': () => errorOf(() => new Queue(new Scheduler()).submit(squares, 2).at(-1)),
  'stream-not-iterable': () =>
    errorOf(() => {
      const stream = new Queue(new Scheduler()).submit(squares, 2);
      return [...stream];
    }),
  'explain-not-future': () => errorOf(() => new Scheduler().explain({} as never)),
  'explain-foreign': () => errorOf(() => new Scheduler().explain(foreignFuture())),
  'span-range': async () => {
    const sch = new Scheduler();
    new Queue(sch).submit(() => 1);
    sch.start();
    await sch.wait();
    return errorOf(() => sch.timeline().span(5));
  },
  'graph-not-scheduler': () => errorOf(() => toDot({} as never)),
  'graph-max-tasks': () => errorOf(() => toDot(new Scheduler(), { maxTasks: 0 })),
  'report-source': () => errorOf(() => renderReport(5 as never)),
  'report-section': () => errorOf(() => renderReport([{ title: 'x' }] as never)),
  'report-file': () => errorOf(() => writeReport(new Scheduler(), '')),
  'event-name': () => errorOf(() => new Scheduler().on('task:ended' as never, () => {})),
  'event-listener': () => errorOf(() => new Scheduler().on('task:end', 5 as never)),
  // cluster() and smqsched worker: refused at the call, before any connection is made.
  'cluster-options-shape': () => errorOf(() => cluster('redis://localhost:6379' as never)),
  'cluster-connection': () => errorOf(() => cluster({ connection: 'http://localhost:6379' })),
  'cluster-queue-name': () => errorOf(() => cluster({ connection: REDIS_URL, queueName: 'a:b' })),
  'cluster-ms-type': () =>
    errorOf(() => cluster({ connection: REDIS_URL, abortGrace: '100' as never })),
  'cluster-ms-range': () => errorOf(() => cluster({ connection: REDIS_URL, checkInterval: -1 })),
  'cluster-check-zero': () => errorOf(() => cluster({ connection: REDIS_URL, checkInterval: 0 })),
  'submit-closure-on-cluster': async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, executor: cluster({ connection: REDIS_URL }) });
    const error = await errorOf(() => Q.submit((x: number) => x, 1));
    assert.equal(sch.stats().total.waiting + sch.stats().total.ready, 0, 'nothing was queued');
    await sch.close();
    return error;
  },
  'worker-connection': () => errorOf(() => parseWorkerArgs(['--tasks', './t.js'], {})),
  'worker-no-tasks': () => errorOf(() => parseWorkerArgs(['--connection', REDIS_URL], {})),
  'worker-queue': () =>
    errorOf(() =>
      parseWorkerArgs(['--connection', REDIS_URL, '--tasks', './t.js', '--queue', 'a:b'], {}),
    ),
  'worker-concurrency': () =>
    errorOf(() =>
      parseWorkerArgs(['--connection', REDIS_URL, '--tasks', './t.js', '--concurrency', '0'], {}),
    ),
  // Streams and asCompleted (issue 13).
  'count-unsafe': () =>
    refusedAtSubmit((Q) => {
      function* squares(): Generator<number> {}
      squares.numberOfResults = () => 2 ** 53;
      return Q.submit(squares);
    }),
  'count-threw': () =>
    refusedAtSubmit((Q) => {
      function* squares(): Generator<number> {}
      squares.numberOfResults = (): number => {
        throw new Error('no count');
      };
      return Q.submit(squares);
    }),
  'at-unsafe': () => errorOf(() => new Queue(new Scheduler()).submit(squares, 2).at(2 ** 53)),
  'as-completed-not-iterable': () => errorOf(() => asCompleted(null as never)),
  'as-completed-not-future': () =>
    errorOf(() => asCompleted([new Queue(new Scheduler()).submit(() => 1), 5 as never])),
};

describe('docs/errors.md: every row has a test, and holds', () => {
  const rows = readRows();

  test('the table and the cases name the same ids, each once', () => {
    const ids = rows.map((r) => r.id);
    assert.ok(ids.length >= 60, `${ids.length} rows`);
    assert.equal(new Set(ids).size, ids.length, 'no id twice');
    assert.deepEqual([...ids].sort(), Object.keys(cases).sort());
  });

  test('TaskFailedError quotes the first error without doubling its full stop', async () => {
    const error = await waitError((Q) => {
      Q.submit(() => {
        throw new Error('The disk is full.');
      });
    });
    assert.ok(error instanceof TaskFailedError);
    assert.match(error.message, /first, The disk is full\. Inspect \.errors/);
  });

  for (const row of rows) {
    test(`${row.id}: ${row.what}`, async () => {
      const run = cases[row.id];
      assert.ok(run, `a case for ${row.id}`);
      const error = await run();
      const expected = CLASSES[row.className];
      assert.ok(expected, `docs/errors.md names a known class: ${row.className}`);
      assert.ok(error instanceof expected, `${row.id}: ${String(error)} is a ${row.className}`);
      assert.equal(error.name, row.className, `${row.id}: exactly ${row.className}`);
      assert.ok(
        error.message.includes(row.says),
        `${row.id}: the message\n  ${error.message}\nsays\n  ${row.says}`,
      );
    });
  }
});
