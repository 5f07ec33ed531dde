import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { describe, test } from 'node:test';
import { Queue, Scheduler } from '../../src/index.js';
import { type Deferred, deferred, ticks } from '../helpers/deferred.js';

describe('Queue', () => {
  test('concurrency and name: given, or defaults', () => {
    const sch = new Scheduler();
    const a = new Queue(sch);
    const b = new Queue(sch, { concurrency: 3, name: 'gpu' });
    assert.equal(a.concurrency, availableParallelism());
    assert.equal(b.concurrency, 3);
    assert.equal(b.name, 'gpu');
    assert.equal(typeof a.name, 'string');
    assert.notEqual(a.name, b.name);
  });

  test('never runs more tasks at once than its concurrency', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 3 });
    const gates: Deferred<void>[] = [];
    let now = 0;
    let peak = 0;
    for (let i = 0; i < 8; i++) {
      const gate = deferred();
      gates.push(gate);
      Q.submit(async () => {
        now++;
        peak = Math.max(peak, now);
        await gate.promise;
        now--;
      });
    }
    sch.start();
    await ticks();
    assert.equal(now, 3);
    for (const gate of gates) {
      gate.resolve();
      await ticks(2);
      assert.ok(now <= 3);
    }
    await sch.wait();
    assert.equal(peak, 3);
    assert.equal(sch.stats().total.done, 8);
  });

  test('queues have their own slots; a task may depend on another queue', async () => {
    const sch = new Scheduler();
    const io = new Queue(sch, { concurrency: 1, name: 'io' });
    const cpu = new Queue(sch, { concurrency: 2, name: 'cpu' });
    const ioGate = deferred<number>();
    const cpuGates = [deferred<number>(), deferred<number>()];
    const read = io.submit(() => ioGate.promise);
    const io2 = io.submit(() => 0);
    const c0 = cpu.submit(() => cpuGates[0]?.promise);
    const c1 = cpu.submit(() => cpuGates[1]?.promise);
    const use = cpu.submit((x: number) => x * 2, read);
    sch.start();
    await ticks();
    assert.equal(c0.status, 'running');
    assert.equal(c1.status, 'running');
    // use (newest) leads the walk to read, which ranks before io2; cpu tasks take no io slot.
    assert.equal(read.status, 'running');
    assert.equal(io2.status, 'ready');
    assert.equal(use.status, 'waiting');
    ioGate.resolve(21);
    await ticks();
    assert.equal(read.status, 'done');
    assert.equal(use.status, 'ready', 'both cpu slots are busy');
    assert.equal(io2.status, 'done');
    cpuGates[0]?.resolve(1);
    await ticks();
    assert.equal(use.result(), 42);
    cpuGates[1]?.resolve(2);
    await sch.wait();
    const stats = sch.stats();
    assert.equal(stats.queues.io?.done, 2);
    assert.equal(stats.queues.cpu?.done, 3);
  });
});

describe('bad input', () => {
  test('a non-function to submit throws TypeError naming the task, and queues nothing', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'work' });
    Q.submit(() => 1);
    const before = sch.stats();
    const submit = Q.submit as (fn: unknown, ...args: unknown[]) => unknown;
    for (const bad of [42, 'fn', null, undefined, {}, [() => 1]]) {
      assert.throws(() => submit.call(Q, bad), TypeError);
    }
    const named = Q.options({ name: 'load-data' }).submit as (fn: unknown) => unknown;
    assert.throws(
      () => named('not a function'),
      (e) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, /load-data/);
        assert.match(e.message, /function/);
        return true;
      },
    );
    assert.deepEqual(sch.stats(), before);
    sch.start();
    await sch.wait();
    assert.equal(sch.stats().total.done, 1);
  });

  for (const concurrency of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    test(`concurrency ${concurrency} throws RangeError naming the option`, () => {
      const sch = new Scheduler();
      assert.throws(
        () => new Queue(sch, { concurrency }),
        (e) => {
          assert.ok(e instanceof RangeError);
          assert.match(e.message, /concurrency/);
          assert.match(e.message, /integer|positive|from 1/);
          return true;
        },
      );
      assert.deepEqual(sch.stats().total, {
        waiting: 0,
        ready: 0,
        running: 0,
        done: 0,
        failed: 0,
        cancelled: 0,
      });
    });
  }

  test("concurrency '2' (a string) throws TypeError naming the option", () => {
    const sch = new Scheduler();
    const options = { concurrency: '2' } as unknown as { concurrency: number };
    assert.throws(
      () => new Queue(sch, options),
      (e) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, /concurrency/);
        return true;
      },
    );
  });

  test('new Queue(notAScheduler) throws TypeError', () => {
    const make = Queue as unknown as new (sch: unknown) => Queue;
    for (const bad of [undefined, null, {}, { start() {} }, 'scheduler']) {
      assert.throws(
        () => new make(bad),
        (e) => {
          assert.ok(e instanceof TypeError);
          assert.match(e.message, /Scheduler/);
          return true;
        },
      );
    }
  });

  test('a queue with bad options is not added to the scheduler', async () => {
    const sch = new Scheduler();
    assert.throws(() => new Queue(sch, { concurrency: 0, name: 'broken' }), RangeError);
    const ok = new Queue(sch, { concurrency: 1, name: 'ok' });
    ok.submit(() => 1);
    assert.deepEqual(Object.keys(sch.stats().queues), ['ok']);
    sch.start();
    await sch.wait();
  });

  test('bad task options and scheduler options throw TypeError', () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const options = Q.options as (o: unknown) => unknown;
    assert.throws(() => options.call(Q, null), TypeError);
    assert.throws(() => options.call(Q, { name: 5 }), /name/);
    const make = Scheduler as unknown as new (o: unknown) => Scheduler;
    assert.throws(
      () => new make({ failFast: 'yes' }),
      (e) => e instanceof TypeError && /failFast/.test(e.message),
    );
  });
});
