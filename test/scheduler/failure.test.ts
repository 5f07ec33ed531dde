import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DependencyError,
  type Future,
  NonErrorThrown,
  Queue,
  Scheduler,
  TaskFailedError,
} from '../../src/index.js';
import { deferred, ticks, watch } from '../helpers/deferred.js';
import { failureOf } from '../helpers/failure.js';
import { assertSame, assertSameMembers } from '../helpers/same.js';

describe('a failing task', () => {
  test('a throwing task fails with its error; independent tasks go on', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const boom = new Error('boom');
    const other = Q.submit(() => 'fine');
    const bad = Q.submit((): number => {
      throw boom;
    });
    const later = Q.submit(() => 'also fine');
    sch.start();
    const error = await failureOf(sch);
    assertSame(error.errors, [boom]);
    assert.equal(bad.status, 'failed');
    assert.throws(
      () => bad.result(),
      (e) => e === boom,
    );
    assert.equal(other.result(), 'fine');
    assert.equal(later.result(), 'also fine');
  });

  test('a rejecting async task fails with its error', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const gate = deferred<number>();
    const boom = new RangeError('async boom');
    const bad = Q.submit(() => gate.promise);
    sch.start();
    await ticks();
    assert.equal(bad.status, 'running');
    gate.reject(boom);
    const error = await failureOf(sch);
    assert.equal(bad.status, 'failed');
    assertSame(error.errors, [boom]);
    await assert.rejects(
      async () => bad,
      (e) => e === boom,
    );
  });

  test('a non-Error thrown or rejected value is wrapped in NonErrorThrown', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const thrownObject = { code: 7 };
    const a = Q.options({ name: 'throws-string' }).submit((): number => {
      throw 'plain string';
    });
    const b = Q.submit(async (): Promise<number> => {
      throw thrownObject;
    });
    const c = Q.submit(() => Promise.reject(42));
    sch.start();
    const error = await failureOf(sch);
    assert.equal(error.errors.length, 3);
    const expected: [Future<number>, unknown][] = [
      [a, 'plain string'],
      [b, thrownObject],
      [c, 42],
    ];
    for (const [future, value] of expected) {
      assert.equal(future.status, 'failed');
      assert.throws(
        () => future.result(),
        (e) => {
          assert.ok(e instanceof NonErrorThrown);
          assert.ok(e instanceof Error);
          assert.equal(e.value, value);
          assert.ok(error.errors.includes(e));
          return true;
        },
      );
    }
    assert.throws(() => a.result(), /throws-string/);
  });
});

describe('dependents of a failed task', () => {
  test('are cancelled with DependencyError naming the root, direct and transitive', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const boom = new Error('root cause');
    const calls: string[] = [];
    const root = Q.options({ name: 'root-task' }).submit((): number => {
      throw boom;
    });
    const direct = Q.options({ name: 'direct' }).submit((x: number) => {
      calls.push('direct');
      return x;
    }, root);
    const transitive = Q.options({ name: 'transitive' }).submit((x: number) => {
      calls.push('transitive');
      return x;
    }, direct);
    const nested = Q.options({ name: 'nested' }).submit(
      (o: { deep: number[] }) => {
        calls.push('nested');
        return o.deep;
      },
      { deep: [transitive] },
    );
    sch.start();
    const error = await failureOf(sch);
    assertSame(error.errors, [boom], 'only the failed task, not its cancelled dependents');
    assert.deepEqual(calls, []);
    for (const f of [direct, transitive, nested]) {
      assert.equal(f.status, 'cancelled');
      assert.throws(
        () => f.result(),
        (e) => {
          assert.ok(e instanceof DependencyError);
          assert.equal(e.cause, boom);
          assert.equal(e.failedTask.id, root.id);
          assert.equal(e.failedTask.name, 'root-task');
          assert.match(e.message, /root-task/);
          assert.match(e.message, new RegExp(f.name));
          return true;
        },
      );
      await assert.rejects(async () => f, DependencyError);
    }
  });

  test('independent tasks, and other branches of a dependent, still run', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const boom = new Error('left failed');
    const left = Q.submit((): number => {
      throw boom;
    });
    const right = Q.submit(() => 2);
    const both = Q.submit((x: number, y: number) => x + y, left, right);
    const afterRight = Q.submit((y: number) => y * 10, right);
    const alone = Q.submit(() => 'alone');
    sch.start();
    const error = await failureOf(sch);
    assertSame(error.errors, [boom]);
    assert.equal(both.status, 'cancelled');
    assert.equal(right.result(), 2);
    assert.equal(afterRight.result(), 20);
    assert.equal(alone.result(), 'alone');
    const stats = sch.stats().total;
    assert.equal(stats.done, 3);
    assert.equal(stats.failed, 1);
    assert.equal(stats.cancelled, 1);
  });

  test('wait() lists every failed task and rejects only once running tasks end', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 3 });
    const e1 = new Error('one');
    const e2 = new Error('two');
    const slow = deferred<string>();
    const f1 = Q.submit((): number => {
      throw e1;
    });
    const f2 = Q.submit(async (): Promise<number> => {
      throw e2;
    });
    Q.submit((a: number, b: number) => a + b, f1, f2);
    Q.submit((a: number) => a, f2);
    const long = Q.submit(() => slow.promise);
    const waited = watch(sch.wait());
    sch.start();
    await ticks();
    assert.equal(f1.status, 'failed');
    assert.equal(f2.status, 'failed');
    assert.equal(long.status, 'running');
    assert.equal(waited.state, 'pending');
    slow.resolve('done');
    await ticks();
    assert.equal(waited.state, 'rejected');
    const error = waited.error;
    assert.ok(error instanceof TaskFailedError);
    assertSameMembers(error.errors, [e1, e2]);
    assert.equal(long.result(), 'done');
  });

  test('a task submitted on an already failed (or cancelled) future is cancelled at once', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const boom = new Error('early');
    const bad = Q.options({ name: 'bad' }).submit((): number => {
      throw boom;
    });
    const dep = Q.submit((x: number) => x, bad);
    sch.start();
    await assert.rejects(sch.wait(), TaskFailedError);
    let ran = 0;
    const late = Q.submit((x: number) => {
      ran++;
      return x;
    }, bad);
    const later = Q.submit(
      (o: { x: number }) => {
        ran++;
        return o.x;
      },
      { x: dep },
    );
    for (const f of [late, later]) {
      assert.equal(f.status, 'cancelled');
      assert.throws(
        () => f.result(),
        (e) => {
          assert.ok(e instanceof DependencyError);
          assert.equal(e.cause, boom);
          assert.equal(e.failedTask.id, bad.id);
          assert.equal(e.failedTask.name, 'bad');
          return true;
        },
      );
    }
    await sch.wait();
    assert.equal(ran, 0);
    assert.equal(sch.stats().total.cancelled, 3);
  });
});
