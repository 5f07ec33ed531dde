import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DependencyError, Future, NotReadyError, Queue, Scheduler } from '../../src/index.js';
import { deferred, ticks } from '../helpers/deferred.js';

describe('Future', () => {
  test('await gives the task value, sync and async', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const a = Q.submit((x: number) => x * 2, 21);
    const b = Q.submit(async (s: string) => `${s}!`, 'hi');
    assert.ok(a instanceof Future);
    sch.start();
    assert.equal(await a, 42);
    assert.equal(await b, 'hi!');
  });

  test('await rejects with the error of a failed task', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const boom = new Error('boom');
    const f = Q.submit(() => {
      throw boom;
    });
    sch.start();
    await assert.rejects(
      async () => f,
      (e) => e === boom,
    );
    await assert.rejects(sch.wait());
  });

  test('result() returns the value once done', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const value = { answer: 42 };
    const f = Q.submit(() => value);
    sch.start();
    await sch.wait();
    assert.equal(f.result(), value);
    assert.equal(f.result(), value, 'result() can be called again');
  });

  test('result() throws the very error of a failed task', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const boom = new TypeError('bad thing');
    const f = Q.submit(async () => {
      throw boom;
    });
    sch.start();
    await assert.rejects(sch.wait());
    assert.throws(
      () => f.result(),
      (e) => e === boom,
    );
  });

  test('result() throws NotReadyError before the task has finished', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const gate = deferred<number>();
    const f = Q.options({ name: 'slow' }).submit(() => gate.promise);
    const check = (status: string): void => {
      assert.throws(
        () => f.result(),
        (e) => {
          assert.ok(e instanceof NotReadyError);
          assert.ok(e instanceof Error);
          assert.match(e.message, new RegExp(`\\b${f.id}\\b`));
          assert.match(e.message, /slow/);
          assert.equal(f.status, status);
          return true;
        },
      );
    };
    check('ready');
    sch.start();
    await ticks();
    check('running');
    gate.resolve(7);
    await sch.wait();
    assert.equal(f.result(), 7);
  });

  test('status goes waiting -> ready -> running -> done', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const gateA = deferred<number>();
    const gateB = deferred<number>();
    const a = Q.submit(() => gateA.promise);
    const b = Q.submit((x: number) => gateB.promise.then((y) => x + y), a);
    assert.equal(a.status, 'ready');
    assert.equal(b.status, 'waiting');
    sch.start();
    await ticks();
    assert.equal(a.status, 'running');
    assert.equal(b.status, 'waiting');
    gateA.resolve(1);
    await ticks();
    assert.equal(a.status, 'done');
    assert.equal(b.status, 'running');
    gateB.resolve(2);
    await sch.wait();
    assert.equal(b.status, 'done');
    assert.equal(b.result(), 3);
  });

  test('status ends failed for the failing task and cancelled for its dependent', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const a = Q.submit((): number => {
      throw new Error('no');
    });
    const b = Q.submit((x: number) => x, a);
    sch.start();
    await assert.rejects(sch.wait());
    assert.equal(a.status, 'failed');
    assert.equal(b.status, 'cancelled');
    assert.throws(() => b.result(), DependencyError);
  });

  test('ids are distinct and stable; names default to the function name', () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    function double(x: number): number {
      return x * 2;
    }
    const triple = (x: number): number => x * 3;
    const a = Q.submit(double, 1);
    const b = Q.submit(triple, 1);
    const c = Q.submit(double, 2);
    assert.equal(a.name, 'double');
    assert.equal(b.name, 'triple');
    assert.equal(c.name, 'double');
    const ids = [a.id, b.id, c.id];
    assert.equal(new Set(ids).size, 3);
    for (const id of ids) assert.ok(Number.isInteger(id));
    assert.deepEqual([a.id, b.id, c.id], ids, 'ids do not change');
    assert.equal(typeof Q.submit(() => 0).name, 'string');
  });

  test('Q.options({ name }) sets the name, per submission only', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const work = (): number => 1;
    const named = Q.options({ name: 'load-matrix' });
    const a = named.submit(work);
    const b = named.submit(work);
    const c = Q.submit(work);
    assert.equal(a.name, 'load-matrix');
    assert.equal(b.name, 'load-matrix');
    assert.equal(c.name, 'work');
    assert.notEqual(a.id, b.id);
    sch.start();
    await sch.wait();
    assert.equal(a.name, 'load-matrix', 'the name stays after the task ends');
  });

  test('a failed future that nobody awaits raises no unhandled rejection', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => {
      rejections.push(reason);
    };
    process.on('unhandledRejection', onRejection);
    try {
      const sch = new Scheduler();
      const Q = new Queue(sch, { concurrency: 2 });
      const syncFail = Q.submit((): number => {
        throw new Error('sync failure');
      });
      const asyncFail = Q.submit(async (): Promise<number> => {
        throw new Error('async failure');
      });
      const dependent = Q.submit((x: number, y: number) => x + y, syncFail, asyncFail);
      sch.start();
      await ticks(10);
      assert.equal(syncFail.status, 'failed');
      assert.equal(asyncFail.status, 'failed');
      assert.equal(dependent.status, 'cancelled');
      await ticks(10);
      assert.deepEqual(rejections, []);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
