import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { currentTask, Queue, Scheduler, type TaskInfo } from '../../src/index.js';
import { deferred, ticks, watch } from '../helpers/deferred.js';
import { feed } from '../helpers/feed.js';

/**
 * Generator tasks and the scheduler's life (API.md sections 2 and 4): stop() with a running
 * generator, the task:item event, and currentTask() inside generators.
 */

const N = 200_000;

describe('stop() and start() with a running generator', () => {
  test('stop() lets the running generator finish; nothing new starts; start() resumes', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const f = feed<number>();
    const s = Q.submit(f.fn);
    let ran = 0;
    const d = Q.submit((v: number) => {
      ran++;
      return v + 1;
    }, s.at(0));
    sch.start();
    await f.reached(0);
    const stopping = sch.stop();
    const stopped = watch(stopping);
    assert.equal(sch.running, false);
    f.push(1);
    await s.at(0);
    await ticks();
    assert.equal(s.status, 'running', 'the generator goes on while stopped');
    assert.equal(d.status, 'ready', 'its item exists, but nothing starts while stopped');
    assert.equal(stopped.state, 'pending', 'stop() waits for the running generator');
    f.push(2);
    f.end();
    await stopping;
    assert.deepEqual(s.result(), [1, 2]);
    assert.equal(ran, 0);
    assert.equal(d.status, 'ready');
    sch.start();
    await sch.wait();
    assert.equal(d.result(), 2);
    assert.equal(ran, 1);
  });

  test('stop() from a dependent of item 0 while a long sync generator runs: it runs to its end, later dependents wait', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    let produced = 0;
    function* long(n: number) {
      for (let i = 0; i < n; i++) {
        produced = i + 1;
        yield i;
      }
    }
    const s = Q.submit(long, N);
    let stopping: Promise<void> | undefined;
    let producedAtStop = -1;
    const first = Q.submit((v: number) => {
      stopping = sch.stop();
      producedAtStop = produced;
      return v;
    }, s.at(0));
    let laterRan = false;
    const later = Q.submit(
      (v: number) => {
        laterRan = true;
        return v;
      },
      s.at(N - 1),
    );
    sch.start();
    assert.equal(await first, 0);
    assert.ok(stopping !== undefined);
    assert.ok(producedAtStop < N, 'stopped while the generator was going on');
    await stopping;
    assert.equal(s.status, 'done', 'the running generator ran to its end');
    assert.equal((await s).length, N);
    await ticks();
    assert.equal(later.status, 'ready', 'its item exists, but nothing starts while stopped');
    assert.equal(laterRan, false);
    sch.start();
    await sch.wait();
    assert.equal(later.result(), N - 1);
  });
});

describe('task:item and currentTask()', () => {
  test('task:item carries id, name, queue, time and index for each yield, between start and end', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, name: 'gen-q' });
    const log: { kind: string; id: number; name: string; queue: string; time: number }[] = [];
    const indices: number[] = [];
    sch.on('task:start', (e) => log.push({ kind: 'start', ...e }));
    sch.on('task:end', (e) => log.push({ kind: 'end', ...e }));
    sch.on('task:item', (e) => {
      log.push({ kind: 'item', ...e });
      indices.push(e.index);
    });
    const t0 = performance.now();
    const s = Q.options({ name: 'letters' }).submit(async function* () {
      yield 'x';
      await Promise.resolve();
      yield 'y';
      yield 'z';
    });
    const plain = Q.submit(() => 1);
    sch.start();
    await sch.wait();
    const t1 = performance.now();
    assert.deepEqual(indices, [0, 1, 2]);
    const kinds = log.filter((e) => e.id === s.id).map((e) => e.kind);
    assert.deepEqual(kinds, ['start', 'item', 'item', 'item', 'end']);
    for (const e of log.filter((l) => l.kind === 'item')) {
      assert.equal(e.id, s.id);
      assert.equal(e.name, 'letters');
      assert.equal(e.queue, 'gen-q');
      assert.ok(e.time >= t0 && e.time <= t1);
    }
    const times = log.map((e) => e.time);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    assert.ok(
      !log.some((e) => e.kind === 'item' && e.id === plain.id),
      'no items for a plain task',
    );
  });

  test('currentTask() inside a sync generator gives its id and name at every step', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const seen: (TaskInfo | undefined)[] = [];
    const s = Q.options({ name: 'sync-gen' }).submit(function* () {
      seen.push(currentTask());
      yield 1;
      seen.push(currentTask());
      yield 2;
      seen.push(currentTask());
    });
    sch.start();
    await sch.wait();
    assert.equal(seen.length, 3);
    for (const info of seen) {
      assert.equal(info?.id, s.id);
      assert.equal(info?.name, 'sync-gen');
    }
    assert.equal(currentTask(), undefined);
  });

  test('currentTask() inside an async generator gives its id and name across awaits and yields', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const seen: (TaskInfo | undefined)[] = [];
    const gate = deferred();
    const s = Q.options({ name: 'async-gen' }).submit(async function* () {
      seen.push(currentTask());
      yield 'a';
      await gate.promise;
      seen.push(currentTask());
      yield 'b';
      await new Promise<void>((resolve) => setImmediate(resolve));
      seen.push(currentTask());
    });
    const other = Q.options({ name: 'other' }).submit(
      (x: string) => currentTask()?.name + x,
      s.at(0),
    );
    sch.start();
    assert.equal(await other, 'othera', 'a task run meanwhile sees itself');
    gate.resolve();
    await sch.wait();
    assert.equal(seen.length, 3);
    for (const info of seen) {
      assert.equal(info?.id, s.id);
      assert.equal(info?.name, 'async-gen');
    }
  });
});
