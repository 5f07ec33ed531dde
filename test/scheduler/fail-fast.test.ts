import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Queue, Scheduler, TaskFailedError } from '../../src/index.js';
import { deferred, ticks, watch } from '../helpers/deferred.js';
import { failureOf } from '../helpers/failure.js';
import { assertSame } from '../helpers/same.js';

describe('failFast', () => {
  test('no task starts after the first failure; wait() rejects once running tasks end', async () => {
    const sch = new Scheduler({ failFast: true });
    const Q = new Queue(sch, { concurrency: 2 });
    const started: string[] = [];
    const rest = ['x', 'y'].map((label) =>
      Q.options({ name: label }).submit(() => {
        started.push(label);
      }),
    );
    const slow = deferred<string>();
    const failing = deferred<string>();
    const long = Q.submit(() => {
      started.push('long');
      return slow.promise;
    });
    const bad = Q.submit(() => {
      started.push('bad');
      return failing.promise;
    });
    const waited = watch(sch.wait());
    sch.start();
    await ticks();
    assert.deepEqual([...started].sort(), ['bad', 'long']);
    const boom = new Error('fail fast');
    failing.reject(boom);
    await ticks();
    assert.equal(bad.status, 'failed');
    assert.equal(started.length, 2, 'the freed slot is not used');
    assert.equal(waited.state, 'pending', 'a task is still running');
    slow.resolve('finished anyway');
    await ticks();
    assert.equal(waited.state, 'rejected');
    assert.ok(waited.error instanceof TaskFailedError);
    assertSame(waited.error.errors, [boom]);
    assert.equal(long.result(), 'finished anyway');
    assert.equal(started.length, 2);
    for (const f of rest) assert.equal(f.status, 'ready');
  });

  test('a synchronous failure stops the dispatch at once', async () => {
    const sch = new Scheduler({ failFast: true });
    const Q = new Queue(sch, { concurrency: 1 });
    let ran = 0;
    Q.submit(() => ran++);
    Q.submit(() => ran++);
    Q.submit((): number => {
      throw new Error('first');
    });
    sch.start();
    const error = await failureOf(sch);
    assert.equal(error.errors.length, 1);
    await ticks();
    assert.equal(ran, 0);
  });

  test('without failFast, tasks go on starting after a failure', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    let ran = 0;
    Q.submit(() => ran++);
    Q.submit(() => ran++);
    Q.submit((): number => {
      throw new Error('first');
    });
    sch.start();
    await failureOf(sch);
    assert.equal(ran, 2);
  });
});
