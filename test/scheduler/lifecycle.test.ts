import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Future, Queue, Scheduler } from '../../src/index.js';
import { type Deferred, deferred, ticks, watch } from '../helpers/deferred.js';

/** A task function that records its start and returns a promise the test resolves. */
function gated(label: string, log: string[], gates: Map<string, Deferred<string>>) {
  const gate = deferred<string>();
  gates.set(label, gate);
  const fn = (): Promise<string> => {
    log.push(label);
    return gate.promise;
  };
  Object.defineProperty(fn, 'name', { value: label });
  return fn;
}

describe('start()', () => {
  test('tasks submitted before start() do not run until start()', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 4 });
    let calls = 0;
    const a = Q.submit(() => ++calls);
    const b = Q.submit((x: number) => x + ++calls, a);
    await ticks();
    assert.equal(calls, 0);
    assert.equal(a.status, 'ready');
    assert.equal(b.status, 'waiting');
    assert.equal(sch.running, false);
    sch.start();
    await sch.wait();
    assert.equal(calls, 2);
    assert.equal(b.result(), 3);
  });

  test('start() is idempotent: nothing runs twice, concurrency holds', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const log: string[] = [];
    const gates = new Map<string, Deferred<string>>();
    for (const label of ['a', 'b', 'c', 'd']) Q.submit(gated(label, log, gates));
    sch.start();
    sch.start();
    await ticks();
    sch.start();
    await ticks();
    assert.equal(log.length, 2, 'two slots, two running tasks');
    for (const g of gates.values()) g.resolve('ok');
    sch.start();
    await sch.wait();
    assert.deepEqual([...log].sort(), ['a', 'b', 'c', 'd']);
  });

  test('running is true between start() and stop()', async () => {
    const sch = new Scheduler();
    new Queue(sch, { concurrency: 1 });
    assert.equal(sch.running, false);
    sch.start();
    assert.equal(sch.running, true);
    const stopped = sch.stop();
    assert.equal(sch.running, false);
    await stopped;
    assert.equal(sch.running, false);
    sch.start();
    assert.equal(sch.running, true);
    await sch.close();
    assert.equal(sch.running, false);
  });
});

describe('stop()', () => {
  test('resolves only when running tasks end; nothing starts after; start() resumes', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const log: string[] = [];
    const gates = new Map<string, Deferred<string>>();
    const futures = ['a', 'b', 'c', 'd'].map((label) => Q.submit(gated(label, log, gates)));
    sch.start();
    await ticks();
    assert.equal(log.length, 2);
    const running = [...log];
    const stopped = watch(sch.stop());
    await ticks();
    assert.equal(stopped.state, 'pending', 'stop() waits for the running tasks');
    gates.get(running[0] as string)?.resolve('first');
    await ticks();
    assert.equal(stopped.state, 'pending');
    assert.equal(log.length, 2, 'the freed slot is not used after stop()');
    gates.get(running[1] as string)?.resolve('second');
    await ticks();
    assert.equal(stopped.state, 'fulfilled');
    assert.equal(log.length, 2);
    const rest = futures.filter((f) => f.status === 'ready');
    assert.equal(rest.length, 2, 'unstarted tasks stay queued');
    assert.equal(sch.stats().total.done, 2, 'finished results stay');

    sch.start();
    await ticks();
    assert.equal(log.length, 4);
    for (const f of rest) gates.get(f.name)?.resolve(`late ${f.name}`);
    await sch.wait();
    assert.deepEqual([...log].sort(), ['a', 'b', 'c', 'd'], 'no task ran twice');
    for (const f of futures) assert.equal(f.status, 'done');
    assert.equal(futures.find((f) => f.name === running[0])?.result(), 'first');
  });

  test('stop() with nothing running resolves at once', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    let calls = 0;
    Q.submit(() => ++calls);
    await sch.stop();
    sch.start();
    await ticks();
    assert.equal(calls, 1);
    await sch.stop();
    await ticks();
    assert.equal(calls, 1);
  });
});

describe('tasks submitted while running', () => {
  test('a task submitted while the slot is busy starts before older ready tasks', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const log: string[] = [];
    const gates = new Map<string, Deferred<string>>();
    Q.submit(gated('old1', log, gates));
    Q.submit(gated('old2', log, gates));
    sch.start();
    await ticks();
    assert.deepEqual(log, ['old2']);
    Q.submit(gated('new', log, gates));
    gates.get('old2')?.resolve('');
    await ticks();
    assert.deepEqual(log, ['old2', 'new']);
    gates.get('new')?.resolve('');
    await ticks();
    assert.deepEqual(log, ['old2', 'new', 'old1']);
    gates.get('old1')?.resolve('');
    await sch.wait();
  });

  test('a task submitted from inside a running task runs, before older ready tasks', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const log: string[] = [];
    Q.submit(() => log.push('x'));
    Q.submit(() => log.push('y'));
    let child: Future<number> | undefined;
    const parent = Q.submit(() => {
      log.push('parent');
      child = Q.submit((n: number) => {
        log.push('child');
        return n * 2;
      }, 21);
      return 'parent done';
    });
    sch.start();
    await sch.wait();
    assert.deepEqual(log, ['parent', 'child', 'y', 'x']);
    assert.equal(parent.result(), 'parent done');
    assert.equal(child?.result(), 42);
  });

  test('an async task may submit and await a child task', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const parent = Q.submit(async (n: number) => {
      const child = Q.submit((m: number) => m + 1, n);
      return (await child) * 10;
    }, 1);
    sch.start();
    await sch.wait();
    assert.equal(parent.result(), 20);
  });
});

describe('wait()', () => {
  test('resolves at once when nothing was submitted', async () => {
    const sch = new Scheduler();
    await sch.wait();
  });

  test('resolves when all settled, including tasks submitted while waiting', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const g1 = deferred<number>();
    const g2 = deferred<number>();
    const a = Q.submit(() => g1.promise);
    sch.start();
    const waited = watch(sch.wait());
    await ticks();
    const b = Q.submit((x: number) => g2.promise.then((y) => x + y), a);
    g1.resolve(1);
    await ticks();
    assert.equal(a.status, 'done');
    assert.equal(b.status, 'running');
    assert.equal(waited.state, 'pending', 'b was submitted while waiting');
    g2.resolve(2);
    await ticks();
    assert.equal(waited.state, 'fulfilled');
    assert.equal(b.result(), 3);
  });

  test('keeps waiting while stopped, and resolves once started again', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const gate = deferred<number>();
    const b = Q.submit(() => 2);
    const a = Q.submit(() => gate.promise);
    const before = watch(sch.wait());
    await ticks();
    assert.equal(before.state, 'pending', 'not started yet');
    sch.start();
    await ticks();
    assert.equal(a.status, 'running', 'a is newest, so it starts first');
    assert.equal(b.status, 'ready');
    const stopped = sch.stop();
    gate.resolve(1);
    await stopped;
    const during = watch(sch.wait());
    await ticks();
    assert.equal(b.status, 'ready');
    assert.equal(before.state, 'pending', 'b is still queued');
    assert.equal(during.state, 'pending');
    sch.start();
    await ticks();
    assert.equal(b.result(), 2);
    assert.equal(before.state, 'fulfilled');
    assert.equal(during.state, 'fulfilled');
  });
});

describe('close()', () => {
  test('waits for running tasks, then resolves', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const gate = deferred<number>();
    const a = Q.submit(() => gate.promise);
    sch.start();
    await ticks();
    const closed = watch(sch.close());
    await ticks();
    assert.equal(closed.state, 'pending');
    gate.resolve(5);
    await ticks();
    assert.equal(closed.state, 'fulfilled');
    assert.equal(a.result(), 5);
    assert.equal(sch.running, false);
  });

  test('resolves at once for an idle scheduler', async () => {
    const sch = new Scheduler();
    new Queue(sch);
    await sch.close();
  });
});
