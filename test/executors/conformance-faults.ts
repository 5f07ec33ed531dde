/**
 * Conformance: aborts, timeouts and crashes. Every executor aborts the task's
 * `currentTask().signal`; an isolated one (threads, processes) also ends a worker that ignores
 * it, survives a worker that crashes, and replaces the worker either way.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CancelledError, TimeoutError, WorkerCrashedError } from '../../src/index.js';
import { failureOf } from '../helpers/failure.js';
import type { ExecutorFactory, ExecutorTraits } from './conformance.js';
import * as T from './fixture-refs.js';
import { withQueue } from './scheduler-for.js';

/** Long enough that a test relying on an early stop would time out instead of passing. */
const LONG_GRACE = 60_000;

export function faultTests(make: ExecutorFactory, traits: ExecutorTraits): void {
  describe('abort', () => {
    test('a timeout aborts the signal the task sees; its slot frees when it returns', () =>
      withQueue(
        make,
        1,
        async (Q, sch) => {
          const watcher = Q.options({ timeout: 50 }).submit(T.untilAborted);
          sch.start();
          await assert.rejects(async () => watcher, TimeoutError);
          // One slot: this runs only once the watcher really returned, long before the grace.
          assert.equal(await Q.submit(T.add, 1, 1), 2);
          await assert.rejects(sch.wait());
        },
        { abortGrace: LONG_GRACE },
      ));

    test("the user's signal aborts the signal a running task sees", () =>
      withQueue(
        make,
        2,
        async (Q, sch) => {
          const first = new AbortController();
          const second = new AbortController();
          let started = 0;
          // Once both run; and after the start event, not inside its listener, which comes
          // before the engine follows the running attempt's signal.
          sch.on('task:start', () => {
            if (++started < 2) return;
            setImmediate(() => {
              first.abort(new RangeError('enough'));
              second.abort(new RangeError('enough'));
            });
          });
          const returns = Q.options({ signal: first.signal }).submit(T.untilAborted, 'return');
          const throws = Q.options({ signal: second.signal }).submit(T.untilAborted, 'throw');
          sch.start();
          // The task that returns despite the abort is done; the one that throws, cancelled.
          assert.equal(await returns, 'RangeError');
          await assert.rejects(async () => throws, CancelledError);
          assert.equal(throws.status, 'cancelled');
          assert.equal(await Q.submit(T.add, 2, 2), 4);
          await sch.wait();
        },
        { abortGrace: LONG_GRACE },
      ));
  });

  if (traits.isolated) isolatedTests(make, traits);
}

function isolatedTests(make: ExecutorFactory, traits: ExecutorTraits): void {
  describe('isolation', () => {
    test('a task that ignores its signal is ended after the grace; the pool goes on', () =>
      withQueue(
        make,
        1,
        async (Q, sch) => {
          const stuck = Q.options({ timeout: 100 }).submit(T.spin);
          sch.start();
          await assert.rejects(async () => stuck, TimeoutError);
          assert.equal(await Q.submit(T.add, 3, 4), 7);
          await assert.rejects(sch.wait());
        },
        { abortGrace: 50 },
      ));

    test('a worker that exits fails only its task with WorkerCrashedError', () =>
      withQueue(make, 2, async (Q, sch) => {
        const crashed = Q.submit(T.exit, 3);
        const fine = Q.submit(T.addLater, 1, 2);
        sch.start();
        const failure = await failureOf(sch);
        const error = failure.errors[0];
        assert.ok(error instanceof WorkerCrashedError, String(error));
        assert.equal(error.exitCode, 3);
        assert.equal(error.task.id, crashed.id);
        assert.match(error.message, /retries/);
        assert.equal(await fine, 3);
        assert.equal(await Q.submit(T.add, 5, 5), 10, 'the pool replaced the worker');
      }));

    test('a task with retries runs again after its worker crashed', () =>
      withQueue(make, 1, async (Q, sch) => {
        const f = Q.options({ retries: 1 }).submit(T.exitOnFirstAttempt, 9);
        sch.start();
        assert.equal(await f, 'ok on attempt 1');
        await sch.wait();
      }));

    if (traits.signals) {
      test('a worker killed by a signal reports the signal', () =>
        withQueue(make, 1, async (Q, sch) => {
          Q.submit(T.killSelf, 'SIGKILL');
          sch.start();
          const error = (await failureOf(sch)).errors[0];
          assert.ok(error instanceof WorkerCrashedError);
          assert.equal(error.signal, 'SIGKILL');
          assert.equal(await Q.submit(T.add, 1, 0), 1);
        }));
    }

    test('a result that cannot be cloned fails its task, and the pool goes on', () =>
      withQueue(make, 1, async (Q, sch) => {
        Q.submit(T.returnFunction);
        sch.start();
        const error = (await failureOf(sch)).errors[0];
        assert.ok(error instanceof TypeError, String(error));
        assert.match(error.message, /cop/);
        assert.equal(await Q.submit(T.add, 2, 3), 5);
      }));

    test('an argument that cannot be copied fails its task, and the pool goes on', () =>
      withQueue(make, 1, async (Q, sch) => {
        const f = Q.submit(T.echo, { callback: () => 1 });
        sch.start();
        await assert.rejects(
          async () => f,
          (e) => e instanceof TypeError && /cop/.test(e.message),
        );
        assert.equal(await Q.submit(T.add, 1, 2), 3);
        await assert.rejects(sch.wait());
      }));

    test(
      traits.movesResults
        ? 'buffers in results are moved out of the worker'
        : 'buffers in results are copied',
      () =>
        withQueue(make, 1, async (Q, sch) => {
          const array = Q.submit(T.makeArray, 1000);
          const kept = Q.options({ after: array }).submit(T.keptByteLength);
          sch.start();
          assert.equal((await array).byteLength, 8000);
          assert.equal(await kept, traits.movesResults ? 0 : 8000);
        }),
    );
  });
}
