import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Queue, Scheduler, type StatusCounts } from '../../src/index.js';
import { deferred, ticks } from '../helpers/deferred.js';

function counts(partial: Partial<StatusCounts>): StatusCounts {
  return { waiting: 0, ready: 0, running: 0, done: 0, failed: 0, cancelled: 0, ...partial };
}

/** `stats().queues` is a null-prototype object (safe for any queue name). */
function byName(entries: Record<string, StatusCounts>): Record<string, StatusCounts> {
  return Object.assign(Object.create(null) as Record<string, StatusCounts>, entries);
}

describe('stats()', () => {
  test('counts tasks in each state, per queue and in total', async () => {
    const sch = new Scheduler();
    const a = new Queue(sch, { concurrency: 1, name: 'a' });
    const b = new Queue(sch, { concurrency: 2, name: 'b' });
    const gate = deferred<number>();
    const failGate = deferred<number>();
    const x = a.submit(() => gate.promise);
    const y = a.submit(() => failGate.promise);
    b.submit((v: number) => v, x);
    b.submit((v: number) => v, y);
    b.submit((v: number, w: number) => v + w, x, y);
    b.submit(() => 0);
    assert.deepEqual(sch.stats(), {
      queues: byName({ a: counts({ ready: 2 }), b: counts({ waiting: 3, ready: 1 }) }),
      total: counts({ waiting: 3, ready: 3 }),
    });

    sch.start();
    await ticks();
    const running = sch.stats();
    assert.deepEqual(running.queues.a, counts({ running: 1, ready: 1 }));
    assert.deepEqual(running.queues.b, counts({ waiting: 3, done: 1 }));
    assert.deepEqual(running.total, counts({ running: 1, ready: 1, waiting: 3, done: 1 }));

    // The walk from the newest task meets x (first argument of x + y) before y.
    assert.equal(x.status, 'running');
    gate.resolve(5);
    await ticks();
    assert.equal(y.status, 'running');
    assert.deepEqual(sch.stats().queues.b, counts({ waiting: 2, done: 2 }));
    failGate.reject(new Error('y failed'));
    await assert.rejects(sch.wait());
    assert.deepEqual(sch.stats(), {
      queues: byName({ a: counts({ done: 1, failed: 1 }), b: counts({ done: 2, cancelled: 2 }) }),
      total: counts({ done: 3, failed: 1, cancelled: 2 }),
    });
  });

  test('returns a snapshot that later changes do not alter', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'q' });
    Q.submit(() => 1);
    const snapshot = sch.stats();
    sch.start();
    await sch.wait();
    assert.deepEqual(snapshot.total, counts({ ready: 1 }));
    assert.deepEqual(sch.stats().total, counts({ done: 1 }));
  });
});
