import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeadlockError, Queue, Scheduler } from '../../src/index.js';
import { ticks } from '../helpers/deferred.js';
import { Gates, within } from '../helpers/gates.js';

const EMPTY = { waiting: 0, ready: 0, running: 0, done: 0, failed: 0, cancelled: 0 };

describe('resources: taken while a task runs', () => {
  test('tasks asking { gpu: 1 } of a queue with { gpu: 2 } never run more than 2 at once', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 4, name: 'gpu-queue', resources: { gpu: 2 } });
    const gpuTasks = new Gates();
    const plainTasks = new Gates();
    const labels = ['g0', 'g1', 'g2', 'g3', 'g4', 'g5'];
    for (const label of labels) Q.options({ resources: { gpu: 1 } }).submit(gpuTasks.fn(label));
    Q.submit(plainTasks.fn('p0'));
    Q.submit(plainTasks.fn('p1'));
    sch.start();
    await ticks();
    // The two plain tasks take two slots; the gpu tasks take the other two (and all the gpus).
    assert.equal(plainTasks.running.size, 2, 'tasks asking for nothing are not held back');
    assert.equal(gpuTasks.running.size, 2);
    plainTasks.end('p0');
    plainTasks.end('p1');
    await ticks();
    assert.equal(gpuTasks.running.size, 2, 'free slots, but no free gpu');
    while (gpuTasks.running.size > 0) {
      gpuTasks.end([...gpuTasks.running][0] as string);
      await ticks();
      assert.ok(gpuTasks.running.size <= 2, 'never more than 2 gpu tasks at once');
    }
    await sch.wait();
    assert.equal(gpuTasks.peak, 2);
    assert.deepEqual([...gpuTasks.started].sort(), labels);
    assert.equal(sch.stats().total.done, 8);
  });

  test('resources come back when tasks end, also when they fail or reject', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 3, resources: { gpu: 2 } });
    const gates = new Gates();
    const whole = { resources: { gpu: 2 } };
    const thrower = Q.options(whole).submit((): number => {
      throw new Error('sync failure');
    });
    const rejecter = Q.options(whole).submit(gates.fn('rejecter'));
    const ok = Q.options(whole).submit(gates.fn('ok'));
    sch.start();
    await ticks();
    // Newest first: ok runs with both gpus; the others wait although slots are free.
    assert.deepEqual([...gates.running], ['ok']);
    assert.equal(rejecter.status, 'ready');
    gates.end('ok', 1);
    await ticks();
    assert.deepEqual([...gates.running], ['rejecter']);
    gates.fail('rejecter', new Error('async failure'));
    await ticks();
    assert.equal(rejecter.status, 'failed');
    assert.equal(thrower.status, 'failed', 'it got both gpus after the failure');
    const last = Q.options(whole).submit(gates.fn('last'));
    await ticks();
    assert.equal(last.status, 'running', 'the failures gave their gpus back');
    gates.end('last');
    await assert.rejects(sch.wait());
    assert.equal(ok.result(), 1);
  });

  test('a candidate that cannot get its resources does not block later ones asking for less or none', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 3, resources: { gpu: 2 } });
    const gates = new Gates();
    const hog = Q.options({ resources: { gpu: 1 } }).submit(gates.fn('hog'));
    sch.start();
    await ticks();
    assert.equal(hog.status, 'running');
    // Submitted oldest to newest: the walk meets `two` first, then `one`, then `none`.
    const none = Q.submit(gates.fn('none'));
    const one = Q.options({ resources: { gpu: 1 } }).submit(gates.fn('one'));
    const two = Q.options({ resources: { gpu: 2 } }).submit(gates.fn('two'));
    await ticks();
    assert.equal(two.status, 'ready', 'only 1 gpu is free');
    assert.equal(one.status, 'running', 'the walk goes on past `two`');
    assert.equal(none.status, 'running');
    assert.deepEqual(gates.started, ['hog', 'one', 'none']);
    gates.end('hog');
    await ticks();
    assert.equal(two.status, 'ready', '`one` still has a gpu');
    gates.end('one');
    await ticks();
    assert.equal(two.status, 'running', 'both gpus free, and a free slot');
    gates.end('none');
    gates.end('two');
    await sch.wait();
  });

  test('each queue has its own counters', async () => {
    const sch = new Scheduler();
    const A = new Queue(sch, { concurrency: 2, name: 'a', resources: { gpu: 1 } });
    const B = new Queue(sch, { concurrency: 2, name: 'b', resources: { gpu: 1 } });
    const gates = new Gates();
    const a = A.options({ resources: { gpu: 1 } }).submit(gates.fn('a'));
    const b = B.options({ resources: { gpu: 1 } }).submit(gates.fn('b'));
    const a2 = A.options({ resources: { gpu: 1 } }).submit(gates.fn('a2'));
    sch.start();
    await ticks();
    assert.deepEqual([a.status, b.status, a2.status], ['ready', 'running', 'running']);
    gates.end('a2');
    await ticks();
    assert.equal(a.status, 'running');
    gates.end('a');
    gates.end('b');
    await sch.wait();
  });

  test('fractional amounts come back exactly: afterwards a task asking for the whole total runs', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 3, name: 'mem', resources: { mem: 1 } });
    const gates = new Gates();
    // Newest first: they start 0.1, 0.2, 0.7 (all fit), and end 0.2, 0.7, 0.1.
    Q.options({ resources: { mem: 0.7 } }).submit(gates.fn('m7'));
    Q.options({ resources: { mem: 0.2 } }).submit(gates.fn('m2'));
    Q.options({ resources: { mem: 0.1 } }).submit(gates.fn('m1'));
    sch.start();
    await ticks();
    assert.deepEqual(gates.started, ['m1', 'm2', 'm7']);
    for (const label of ['m2', 'm7', 'm1']) {
      gates.end(label);
      await ticks();
    }
    await within(sch.wait(), 2000, 'wait()');
    const whole = Q.options({ resources: { mem: 1 } }).submit(() => 'all of it');
    const waited = await within(
      sch.wait().then(
        () => undefined,
        (error: unknown) => error,
      ),
      2000,
      'wait()',
    );
    assert.ok(!(waited instanceof DeadlockError), `all of mem came back, got ${String(waited)}`);
    assert.equal(whole.status, 'done');
  });
});

describe('resources: bad input, at submit time, with nothing queued', () => {
  function setup() {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, name: 'gpus', resources: { gpu: 2, mem: 10 } });
    const bare = new Queue(sch, { name: 'bare' });
    Q.submit(() => 'before');
    let calls = 0;
    const fn = () => ++calls;
    return { sch, Q, bare, fn, calls: () => calls, before: sch.stats() };
  }

  async function nothingQueued(env: ReturnType<typeof setup>): Promise<void> {
    assert.deepEqual(env.sch.stats(), env.before, 'stats unchanged');
    env.sch.start();
    await env.sch.wait();
    assert.equal(env.calls(), 0, 'the refused task never runs');
    assert.equal(env.sch.stats().total.done, 1);
  }

  test('a resource the queue lacks: Error naming the resource and the queue', async () => {
    const env = setup();
    assert.throws(
      () => env.Q.options({ name: 'train', resources: { tpu: 1 } }).submit(env.fn),
      (e) => {
        assert.ok(e instanceof Error);
        assert.ok(!(e instanceof TypeError) && !(e instanceof RangeError), 'a plain Error');
        assert.match(e.message, /tpu/);
        assert.match(e.message, /gpus/);
        assert.match(e.message, /train/);
        return true;
      },
    );
    assert.throws(() => env.bare.options({ resources: { gpu: 1 } }).submit(env.fn), /gpu/);
    await nothingQueued(env);
  });

  test('more than the total: RangeError naming the resource and its total', async () => {
    const env = setup();
    assert.throws(
      () => env.Q.options({ resources: { gpu: 3 } }).submit(env.fn),
      (e) => {
        assert.ok(e instanceof RangeError);
        assert.match(e.message, /gpu/);
        assert.match(e.message, /\b2\b/);
        return true;
      },
    );
    assert.throws(
      () => env.Q.options({ resources: { gpu: 1, mem: 10.5 } }).submit(env.fn),
      RangeError,
    );
    await nothingQueued(env);
  });

  test('a malformed request: TypeError (wrong kind) or RangeError (negative, NaN)', async () => {
    const env = setup();
    const typeErrors: unknown[] = [null, 5, 'gpu', [1], { gpu: '1' }, { gpu: true }];
    for (const resources of typeErrors) {
      const options = { resources } as unknown as { resources: Record<string, number> };
      assert.throws(() => env.Q.options(options).submit(env.fn), TypeError, String(resources));
    }
    for (const amount of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => env.Q.options({ resources: { gpu: amount } }).submit(env.fn),
        RangeError,
        String(amount),
      );
    }
    await nothingQueued(env);
  });

  test('a zero amount is accepted and takes nothing', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, resources: { gpu: 1 } });
    const gates = new Gates();
    Q.options({ resources: { gpu: 1 } }).submit(gates.fn('one'));
    const zero = Q.options({ resources: { gpu: 0 } }).submit(gates.fn('zero'));
    sch.start();
    await ticks();
    assert.equal(zero.status, 'running');
    gates.end('one');
    gates.end('zero');
    await sch.wait();
  });

  test('malformed queue resources: TypeError or RangeError at new Queue()', () => {
    const sch = new Scheduler();
    const bad: [unknown, typeof TypeError | typeof RangeError][] = [
      [5, TypeError],
      [null, TypeError],
      [{ gpu: '2' }, TypeError],
      [{ gpu: -1 }, RangeError],
      [{ gpu: Number.NaN }, RangeError],
    ];
    for (const [resources, kind] of bad) {
      const options = { resources } as unknown as { resources: Record<string, number> };
      assert.throws(() => new Queue(sch, options), kind, String(resources));
    }
    assert.deepEqual(sch.stats().total, EMPTY);
  });
});

describe('resources: any name', () => {
  test('requests whose names would join alike (`a=1&b`) stay distinct: a taken resource stays taken', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, {
      concurrency: 3,
      name: 'q',
      resources: { a: 1, b: 2, 'a=1&b': 2 },
    });
    const gates = new Gates();
    let holderDone = false;
    let overlapped = false;
    // Submitted first, so its lane is made first; { a: 1, b: 2 } must not share it.
    Q.options({ resources: { 'a=1&b': 2 } }).submit(() => 'other');
    Q.options({ resources: { a: 1, b: 2 } }).submit(() => {
      overlapped = !holderDone;
      return 'both';
    });
    const holder = Q.options({ resources: { a: 1 } }).submit(gates.fn('holder'));
    sch.start();
    await ticks();
    assert.equal(holder.status, 'running');
    holderDone = true;
    gates.end('holder');
    await within(sch.wait(), 2000, 'the queue drains');
    assert.equal(overlapped, false, 'the task asking for a ran while another held all of a');
  });

  test('a resource named __proto__ is a resource like any other', async () => {
    const sch = new Scheduler();
    const totals = JSON.parse('{"__proto__": 1, "gpu": 1}') as Record<string, number>;
    const Q = new Queue(sch, { concurrency: 2, name: 'q', resources: totals });
    const gates = new Gates();
    const want = JSON.parse('{"__proto__": 1}') as Record<string, number>;
    const first = Q.options({ resources: want }).submit(gates.fn('first'));
    const second = Q.options({ resources: want }).submit(gates.fn('second'));
    sch.start();
    await ticks();
    assert.deepEqual(
      [first.status, second.status].sort(),
      ['ready', 'running'],
      'only one holds __proto__',
    );
    const waiting = first.status === 'ready' ? first : second;
    const why = sch.explain(waiting);
    assert.match(why.message, /__proto__/);
    gates.end(first.status === 'running' ? 'first' : 'second');
    await ticks();
    gates.end(waiting === first ? 'first' : 'second');
    await within(sch.wait(), 2000, 'the queue drains');
    assert.throws(() => Q.options({ resources: { ['__proto__']: 5 } }).submit(() => 1), RangeError);
  });
});

describe('resources: amounts of any precision', () => {
  for (const total of [0.1234567891234, 1e-10, 12345678.987654321, 3e-7 + 1e-17]) {
    test(`a task asking for all of ${total} starts again after another gave it back`, async () => {
      const sch = new Scheduler();
      const Q = new Queue(sch, { concurrency: 2, name: 'q', resources: { mem: total } });
      const all = Q.options({ resources: { mem: total } });
      const first = all.submit(() => 1);
      const second = all.submit(() => 2);
      sch.start();
      await within(sch.wait(), 2000, 'both tasks run');
      assert.deepEqual([first.result(), second.result()], [1, 2]);
    });
  }
});
