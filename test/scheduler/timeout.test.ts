import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CancelledError,
  currentTask,
  DependencyError,
  Queue,
  Scheduler,
  TaskFailedError,
  TimeoutError,
} from '../../src/index.js';
import { deferred, ticks, watch } from '../helpers/deferred.js';
import { Gates, within } from '../helpers/gates.js';

/** Rejects when `signal` aborts (a task that watches its signal). */
function aborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

describe('timeout', () => {
  test('past its timeout a task fails with TimeoutError; its signal is aborted with it', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'q' });
    const gates = new Gates();
    const next = Q.options({ name: 'next' }).submit(gates.fn('next'));
    const returned = deferred<string>();
    let signal: AbortSignal | undefined;
    const slow = Q.options({ name: 'slow', timeout: 20 }).submit(async () => {
      signal = currentTask()?.signal;
      return returned.promise; // ignores its signal: runs on past the timeout
    });
    const dependent = Q.submit((v: string) => v, slow);
    const waited = watch(sch.wait());
    sch.start();
    const error = await within(
      Promise.resolve(slow).then(
        () => assert.fail('slow must not succeed'),
        (e: unknown) => e,
      ),
      2000,
      'the timed-out future',
    );
    assert.ok(error instanceof TimeoutError);
    assert.equal(error.task.id, slow.id);
    assert.equal(error.timeout, 20);
    assert.match(error.message, new RegExp(`\\b${slow.id}\\b`));
    assert.match(error.message, /slow/);
    assert.match(error.message, /\b20\b/);
    assert.equal(slow.status, 'failed');
    assert.equal(signal?.aborted, true);
    assert.equal(signal?.reason, error);
    assert.ok(dependent.status === 'cancelled');
    assert.throws(
      () => dependent.result(),
      (e) => e instanceof DependencyError && e.cause === error,
    );
    // The function still runs: it keeps the queue's only slot.
    await ticks();
    assert.equal(next.status, 'ready', 'the slot stays taken until the function returns');
    assert.equal(sch.explain(next).reason, 'queue-full');
    assert.equal(waited.state, 'pending');
    returned.resolve('too late');
    await ticks();
    assert.equal(next.status, 'running');
    assert.equal(slow.status, 'failed', 'a late value changes nothing');
    gates.end('next');
    await within(
      assert.rejects(sch.wait(), (e) => e instanceof TaskFailedError && e.errors[0] === error),
      2000,
      'wait()',
    );
  });

  test('a task ending within its timeout is unaffected', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    let signal: AbortSignal | undefined;
    const quick = Q.options({ timeout: 1000 }).submit(async () => {
      signal = currentTask()?.signal;
      await ticks(1);
      return 'fast';
    });
    sch.start();
    await sch.wait();
    assert.equal(quick.result(), 'fast');
    assert.equal(signal?.aborted, false);
  });

  test('a timeout with retries retries; task:retry carries the TimeoutError', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const retryErrors: unknown[] = [];
    sch.on('task:retry', (e) => retryErrors.push(e.error));
    const attempts: number[] = [];
    const t = Q.options({ timeout: 20, retries: 2 }).submit(async () => {
      const info = currentTask();
      attempts.push(info?.attempt ?? -1);
      if (info?.attempt === 0) await aborted(info.signal); // watches its signal: ends at once
      return 'second time lucky';
    });
    sch.start();
    await within(sch.wait(), 2000, 'wait()');
    assert.equal(t.result(), 'second time lucky');
    assert.deepEqual(attempts, [0, 1]);
    assert.equal(retryErrors.length, 1);
    assert.ok(retryErrors[0] instanceof TimeoutError);
  });

  test('on a queue of 1, the retry waits for the timed-out function to return', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const firstReturns = deferred();
    const attempts: number[] = [];
    const t = Q.options({ timeout: 20, retries: 1 }).submit(async () => {
      const attempt = currentTask()?.attempt ?? -1;
      attempts.push(attempt);
      if (attempt === 0) await firstReturns.promise;
      return attempt;
    });
    sch.start();
    await within(
      new Promise<void>((resolve) => sch.on('task:retry', () => resolve())),
      2000,
      'the retry',
    );
    await ticks();
    assert.deepEqual(attempts, [0], 'no second run while the first still runs');
    firstReturns.resolve();
    await within(sch.wait(), 2000, 'wait()');
    assert.deepEqual(attempts, [0, 1]);
    assert.equal(t.result(), 1);
  });

  test("a user abort reaches the retry's signal while the timed-out attempt is still returning", async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const controller = new AbortController();
    const firstReturns = deferred();
    const secondStarted = deferred<AbortSignal | undefined>();
    const t = Q.options({ timeout: 100, retries: 1, signal: controller.signal }).submit(
      async () => {
        const info = currentTask();
        if (info?.attempt === 0) return firstReturns.promise;
        secondStarted.resolve(info?.signal);
        return aborted(info?.signal);
      },
    );
    sch.start();
    const signal = await within(secondStarted.promise, 2000, 'the retry');
    firstReturns.resolve(); // the first attempt's function returns at last
    await ticks(1);
    controller.abort(new Error('user gave up'));
    assert.equal(signal?.aborted, true, 'the running attempt sees the abort');
    await within(sch.wait(), 2000, 'wait()');
    assert.equal(t.status, 'cancelled');
    assert.throws(() => t.result(), CancelledError);
  });

  for (const [timeout, kind] of [
    [0, RangeError],
    [-5, RangeError],
    [Number.POSITIVE_INFINITY, RangeError],
    [Number.NaN, RangeError],
    [2 ** 31, RangeError],
    ['5', TypeError],
    [null, TypeError],
  ] as const) {
    test(`timeout ${String(timeout)} (${typeof timeout}) throws ${kind.name}, nothing queued`, () => {
      const sch = new Scheduler();
      const Q = new Queue(sch, { concurrency: 1 });
      const options = { timeout } as unknown as { timeout: number };
      assert.throws(
        () => Q.options(options).submit(() => 1),
        (e) => {
          assert.ok(e instanceof kind);
          assert.match((e as Error).message, /timeout/);
          return true;
        },
      );
      assert.equal(sch.stats().total.ready, 0);
    });
  }
});
