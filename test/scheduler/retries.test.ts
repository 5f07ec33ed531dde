import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  currentTask,
  DependencyError,
  Queue,
  Scheduler,
  type TaskEndEvent,
  type TaskRetryEvent,
  type TaskStartEvent,
} from '../../src/index.js';
import { deferred, ticks } from '../helpers/deferred.js';
import { failureOf } from '../helpers/failure.js';
import { assertSame } from '../helpers/same.js';

function recordEvents(sch: Scheduler) {
  const starts: TaskStartEvent[] = [];
  const retries: TaskRetryEvent[] = [];
  const ends: TaskEndEvent[] = [];
  sch.on('task:start', (e) => starts.push(e));
  sch.on('task:retry', (e) => retries.push(e));
  sch.on('task:end', (e) => ends.push(e));
  return { starts, retries, ends };
}

describe('retries', () => {
  test('a task failing twice then succeeding with retries: 2 is done after 3 runs', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, name: 'q' });
    const events = recordEvents(sch);
    const errors = [new Error('first'), new Error('second')];
    const attempts: (number | undefined)[] = [];
    const flaky = Q.options({ name: 'flaky', retries: 2 }).submit(async (x: number) => {
      const attempt = currentTask()?.attempt;
      attempts.push(attempt);
      await Promise.resolve();
      const error = errors[attempt ?? 0];
      if (error !== undefined) throw error;
      return x * 2;
    }, 21);
    const seen: number[] = [];
    const dependent = Q.submit((v: number) => {
      seen.push(v);
      return v + 1;
    }, flaky);
    sch.start();
    await sch.wait();
    assert.equal(flaky.status, 'done');
    assert.equal(flaky.result(), 42);
    assert.deepEqual(attempts, [0, 1, 2]);
    assert.deepEqual(seen, [42], 'the dependent runs once, with the final value');
    assert.equal(dependent.result(), 43);
    const mine = <E extends { id: number }>(list: E[]) => list.filter((e) => e.id === flaky.id);
    assert.deepEqual(
      mine(events.starts).map((e) => e.attempt),
      [0, 1, 2],
    );
    assert.deepEqual(
      mine(events.retries).map((e) => [e.attempt, e.error, e.name, e.queue]),
      [
        [0, errors[0], 'flaky', 'q'],
        [1, errors[1], 'flaky', 'q'],
      ],
    );
    const ends = mine(events.ends);
    assert.equal(ends.length, 1, 'task:end once');
    assert.equal(ends[0]?.status, 'done');
    assert.equal(ends[0]?.attempt, 2);
    assert.deepEqual(sch.stats().total, {
      waiting: 0,
      ready: 0,
      running: 0,
      done: 2,
      failed: 0,
      cancelled: 0,
    });
  });

  test('dependents do not start between attempts', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 4 });
    const gates = [deferred<number>(), deferred<number>()];
    let runs = 0;
    const flaky = Q.options({ retries: 1 }).submit(
      () => (gates[runs++] as { promise: Promise<number> }).promise,
    );
    const dependent = Q.submit((v: number) => v, flaky);
    sch.start();
    await ticks();
    gates[0]?.reject(new Error('try again'));
    await ticks();
    assert.equal(runs, 2);
    assert.equal(flaky.status, 'running');
    assert.equal(dependent.status, 'waiting');
    gates[1]?.resolve(5);
    await sch.wait();
    assert.equal(dependent.result(), 5);
  });

  test('each attempt gets the same resolved arguments', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const a = Q.submit(() => ({ n: 1 }));
    const seen: unknown[] = [];
    const t = Q.options({ retries: 2 }).submit(
      (value: { n: number }, nested: { list: number[] }) => {
        seen.push([value, nested]);
        if (seen.length < 3) throw new Error('again');
        return value.n + (nested.list[0] ?? 0);
      },
      a,
      { list: [Q.submit(() => 10)] },
    );
    sch.start();
    await sch.wait();
    assert.equal(t.result(), 11);
    assert.equal(seen.length, 3);
    for (const args of seen) assert.deepEqual(args, [{ n: 1 }, { list: [10] }]);
  });

  test('with retries exhausted the task fails with the last error; wait() rejects', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const events = recordEvents(sch);
    const errors = [new Error('e0'), new Error('e1'), new Error('e2')];
    let runs = 0;
    const doomed = Q.options({ retries: 2 }).submit((): number => {
      throw errors[runs++];
    });
    const dependent = Q.submit((v: number) => v, doomed);
    sch.start();
    const failure = await failureOf(sch);
    assert.equal(runs, 3);
    assertSame(failure.errors, [errors[2]], 'one failure: the last error');
    assert.equal(doomed.status, 'failed');
    assert.throws(
      () => doomed.result(),
      (e) => e === errors[2],
    );
    assert.throws(
      () => dependent.result(),
      (e) => e instanceof DependencyError && e.cause === errors[2],
    );
    assert.equal(events.retries.length, 2);
    const ends = events.ends.filter((e) => e.id === doomed.id);
    assert.deepEqual(
      ends.map((e) => [e.status, e.attempt, e.error]),
      [['failed', 2, errors[2]]],
    );
    assert.equal(sch.stats().total.failed, 1);
  });

  test('retries: 0 (the default) runs once', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    let runs = 0;
    const once = Q.options({ retries: 0 }).submit((): void => {
      runs++;
      throw new Error('no');
    });
    sch.start();
    await failureOf(sch);
    assert.equal(runs, 1);
    assert.equal(once.status, 'failed');
  });

  for (const [retries, kind] of [
    [-1, RangeError],
    [1.5, RangeError],
    [Number.NaN, RangeError],
    [Number.POSITIVE_INFINITY, RangeError],
    ['1', TypeError],
    [null, TypeError],
  ] as const) {
    test(`retries ${String(retries)} (${typeof retries}) throws ${kind.name}, nothing queued`, () => {
      const sch = new Scheduler();
      const Q = new Queue(sch, { concurrency: 1 });
      const options = { retries } as unknown as { retries: number };
      assert.throws(
        () => Q.options(options).submit(() => 1),
        (e) => {
          assert.ok(e instanceof kind);
          assert.match((e as Error).message, /retries/);
          return true;
        },
      );
      assert.equal(sch.stats().total.ready, 0);
    });
  }
});
