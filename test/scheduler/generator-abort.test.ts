/**
 * An aborted generator task is not pulled again (issue 13, item 17): the scheduler drives a
 * generator's loop, so once the task's signal aborts (its user's signal, its timeout) it asks
 * for no further item, closes the generator with return() and the attempt ends with the abort
 * reason, even when the generator never looks at its signal. An async generator whose next()
 * is pending when the abort comes keeps its slot until that next() settles (as a timed-out
 * function keeps it until it returns, README "Task options").
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CancelledError, currentTask, Queue, Scheduler, TimeoutError } from '../../src/index.js';
import { deferred, ticks } from '../helpers/deferred.js';
import { within } from '../helpers/gates.js';

/** At most this many items: a generator that would otherwise run forever ends (the test fails). */
const LIMIT = 200_000;

describe('an aborted synchronous generator that ignores its signal', () => {
  test('its user aborting the signal mid-stream: no item after the abort, return() runs, the task is cancelled', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const controller = new AbortController();
    let pulls = 0;
    let closed = false;
    let closedIn: number | undefined;
    const s = Q.options({ signal: controller.signal, name: 'endless' }).submit(function* () {
      try {
        for (let i = 0; i < LIMIT; i++) {
          pulls++;
          if (i === 10) controller.abort(new Error('enough'));
          yield i;
        }
      } finally {
        closed = true;
        closedIn = currentTask()?.id;
      }
    });
    const after = Q.submit(() => 'next task');
    const item10 = s.at(10);
    sch.start();
    await sch.wait();
    assert.equal(pulls, 11, 'not pulled after the step during which it was aborted');
    assert.ok(closed, 'return() ran its finally block');
    assert.equal(closedIn, s.id, 'inside the task, for currentTask()');
    assert.equal(s.status, 'cancelled');
    assert.throws(
      () => s.result(),
      (e) => e instanceof CancelledError && (e.cause as Error).message === 'enough',
    );
    assert.equal(s.at(9).result(), 9, 'items before the abort stay done');
    assert.equal(
      item10.status,
      'cancelled',
      'the item yielded in the aborted step is not delivered',
    );
    assert.equal(after.result(), 'next task', 'the slot came back');
  });

  test('aborted by a task:start listener: its body never runs', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const controller = new AbortController();
    let pulls = 0;
    const s = Q.options({ signal: controller.signal }).submit(function* () {
      for (let i = 0; i < LIMIT; i++) {
        pulls++;
        yield i;
      }
    });
    sch.on('task:start', (e) => {
      if (e.id === s.id) controller.abort();
    });
    sch.start();
    await sch.wait();
    assert.equal(pulls, 0);
    assert.equal(s.status, 'cancelled');
  });

  test('a task:item listener aborting it: the next item is not asked for', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const controller = new AbortController();
    let pulls = 0;
    const s = Q.options({ signal: controller.signal }).submit(function* () {
      for (let i = 0; i < LIMIT; i++) {
        pulls++;
        yield i;
      }
    });
    sch.on('task:item', (e) => {
      if (e.index === 4) controller.abort();
    });
    sch.start();
    await sch.wait();
    assert.equal(pulls, 5);
    assert.equal(s.status, 'cancelled');
    assert.equal(s.at(4).result(), 4);
  });

  test('its timeout: each attempt is closed at its next slice, not pulled once its signal aborted', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const pullsAfterTimeout: number[] = [];
    let closed = 0;
    const bothClosed = deferred();
    const s = Q.options({ timeout: 30, retries: 1 }).submit(function* () {
      const signal = currentTask()?.signal;
      let after = 0;
      try {
        for (let i = 0; i < LIMIT * 50; i++) {
          if (signal?.aborted) after++;
          yield i % 7;
        }
      } finally {
        pullsAfterTimeout.push(after);
        if (++closed === 2) bothClosed.resolve();
      }
    });
    sch.start();
    await assert.rejects(sch.wait());
    // The last attempt failed at its timeout; stop() does not wait for its function (a
    // timed-out function may never return), so wait here for its generator to be closed.
    await within(bothClosed.promise, 5000, 'the second attempt closed');
    assert.equal(s.status, 'failed');
    assert.throws(() => s.result(), TimeoutError);
    assert.equal(closed, 2, 'both attempts were closed');
    assert.deepEqual(pullsAfterTimeout, [0, 0]);
  });
});

describe('an aborted async generator that ignores its signal', () => {
  test('aborted while its next() is pending: keeps its slot until that settles, then is closed, not pulled again', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const controller = new AbortController();
    const gate = deferred();
    const waiting = deferred();
    let pulls = 0;
    let closed = false;
    const s = Q.options({ signal: controller.signal }).submit(async function* () {
      try {
        for (let i = 0; i < LIMIT; i++) {
          pulls++;
          if (i === 1) {
            waiting.resolve();
            await gate.promise;
          }
          yield i;
        }
      } finally {
        closed = true;
      }
    });
    sch.start();
    await waiting.promise;
    let laterStarted = false;
    const later = Q.submit(() => {
      laterStarted = true;
      return 'later';
    });
    controller.abort(new Error('stop'));
    await ticks();
    assert.equal(s.status, 'running', 'its next() is pending: the attempt goes on');
    assert.equal(laterStarted, false, 'and keeps its slot');
    gate.resolve();
    await sch.wait();
    assert.equal(pulls, 2, 'the pending next() settled; no next() after it');
    assert.ok(closed, 'return() ran its finally block');
    assert.equal(s.status, 'cancelled');
    assert.equal(s.at(0).result(), 0);
    assert.equal(s.at(1).status, 'cancelled', 'the item of the pending next() is not delivered');
    assert.equal(later.result(), 'later');
  });

  test('timed out while its next() is pending: fails at the timeout, keeps its slot until that next() settles, is closed', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const gate = deferred();
    const waiting = deferred();
    let pulls = 0;
    let closed = false;
    const s = Q.options({ timeout: 20 }).submit(async function* () {
      try {
        for (let i = 0; i < LIMIT; i++) {
          pulls++;
          if (i === 1) {
            waiting.resolve();
            await gate.promise;
          }
          yield i;
        }
      } finally {
        closed = true;
      }
    });
    sch.start();
    await waiting.promise;
    let laterStarted = false;
    Q.submit(() => {
      laterStarted = true;
    });
    await assert.rejects(s, TimeoutError);
    await ticks();
    assert.equal(laterStarted, false, 'the slot stays taken while next() is pending');
    gate.resolve();
    await assert.rejects(sch.wait());
    assert.equal(laterStarted, true);
    assert.equal(pulls, 2);
    assert.ok(closed);
  });
});
