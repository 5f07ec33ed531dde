import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Queue, Scheduler } from '../../src/index.js';
import { deferred, ticks } from '../helpers/deferred.js';
import { feed } from '../helpers/feed.js';

/**
 * Generator tasks in the scheduler (API.md sections 4 and 5): a task that needs item i starts
 * as soon as item i is yielded while the generator goes on; the generator holds its slot until
 * it ends; items take their place in the dispatch order. (stop(), task:item and currentTask():
 * generator-lifecycle.test.ts; failures: generator-failures.test.ts.)
 */

const N = 200_000;

describe('progressive output', () => {
  test('a long sync generator on the inline executor: a dependent of item 0 runs before the last item', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, name: 'cpu' });
    let produced = 0;
    function* long(n: number) {
      for (let i = 0; i < n; i++) {
        produced = i + 1;
        yield i;
      }
    }
    const s = Q.submit(long, N);
    const log: string[] = [];
    let producedAtDependent = -1;
    const first = Q.submit((v: number) => {
      log.push(`dependent of item 0 got ${v}`);
      producedAtDependent = produced;
      return v;
    }, s.at(0));
    const last = Q.submit((v: number) => log.push(`dependent of item ${v}`), s.at(N - 1));
    sch.on('task:item', (e) => {
      if (e.id === s.id && (e.index === 0 || e.index === N - 1)) log.push(`item ${e.index}`);
    });
    sch.on('task:end', (e) => {
      if (e.id === s.id) log.push('generator ended');
    });
    sch.start();
    await sch.wait();
    assert.deepEqual(log.slice(0, 3), ['item 0', 'dependent of item 0 got 0', `item ${N - 1}`]);
    // The dependent of the last item may start in the free slot before the generator ends.
    assert.deepEqual(log.slice(3).sort(), [`dependent of item ${N - 1}`, 'generator ended']);
    assert.ok(producedAtDependent >= 1 && producedAtDependent < N, `${producedAtDependent}`);
    assert.equal(first.result(), 0);
    assert.equal(last.status, 'done');
    assert.equal((await s).length, N);
  });

  test('a generator holds its slot until it ends: on a queue of 1, dependents wait; on another queue they run', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'one' });
    const other = new Queue(sch, { concurrency: 1, name: 'other' });
    function* long(n: number) {
      for (let i = 0; i < n; i++) yield i;
    }
    const s = Q.submit(long, N);
    const log: string[] = [];
    Q.submit((v: number) => log.push(`same queue got ${v}`), s.at(0));
    other.submit((v: number) => log.push(`other queue got ${v}`), s.at(0));
    sch.on('task:item', (e) => {
      if (e.index === N - 1) log.push('last item');
    });
    sch.start();
    await sch.wait();
    assert.deepEqual(log, ['other queue got 0', 'last item', 'same queue got 0']);
  });

  test('an async generator: a dependent of item i starts once item i is yielded, while the generator goes on', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const f = feed<number>('numbers');
    const s = Q.submit(f.fn);
    const started: string[] = [];
    const release0 = deferred<number>();
    const d0Started = deferred();
    const d0 = Q.submit((v: number) => {
      started.push(`d0 got ${v}`);
      d0Started.resolve();
      return release0.promise;
    }, s.at(0));
    const d1 = Q.submit((v: number) => {
      started.push(`d1 got ${v}`);
      return v;
    }, s.at(1));
    sch.start();
    await f.reached(0);
    await ticks();
    assert.deepEqual(started, [], 'nothing before the first item');
    assert.equal(d0.status, 'waiting');
    f.push(10);
    await d0Started.promise;
    await f.reached(1); // the generator went on after yielding item 0
    assert.deepEqual(started, ['d0 got 10']);
    assert.equal(d0.status, 'running');
    assert.equal(s.status, 'running', 'both run at once');
    assert.equal(d1.status, 'waiting', 'item 1 is not yielded yet');
    f.push(11);
    await s.at(1);
    await ticks();
    assert.equal(d1.status, 'ready', 'its item exists, but the generator and d0 fill both slots');
    release0.resolve(0);
    assert.equal(await d1, 11);
    assert.deepEqual(started, ['d0 got 10', 'd1 got 11']);
    assert.equal(s.status, 'running');
    f.end();
    assert.deepEqual(await s, [10, 11]);
    await sch.wait();
  });

  test('an async generator on a queue of 1: dependents of its items wait for its end', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const f = feed<string>();
    const s = Q.submit(f.fn);
    const d = Q.submit((v: string) => v.toUpperCase(), s.at(0));
    sch.start();
    f.push('a');
    await s.at(0);
    await ticks();
    assert.equal(d.status, 'ready');
    f.end();
    assert.equal(await d, 'A');
  });

  test('a generator waits for the futures among its arguments; its items feed other generators', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 3 });
    const n = Q.submit(async () => 3);
    const s = Q.submit(
      function* (count: number, base: { add: number }) {
        for (let i = 0; i < count; i++) yield i + base.add;
      },
      n,
      { add: Q.submit(() => 100) },
    );
    const t = Q.submit(async function* (start: number) {
      yield start;
      yield start * 2;
    }, s.at(2));
    const sum = Q.submit((a: number[], b: number) => a.reduce((x, y) => x + y, b), t, s.at(0));
    sch.start();
    await sch.wait();
    assert.deepEqual(s.result(), [100, 101, 102]);
    assert.deepEqual(t.result(), [102, 204]);
    assert.equal(sum.result(), 406);
  });

  test('dependents of items take their place in the dispatch order: newest first, through the generator', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const starts: string[] = [];
    sch.on('task:start', (e) => starts.push(e.name));
    function* three() {
      yield 'a';
      yield 'b';
      yield 'c';
    }
    const g1 = Q.options({ name: 'g1' }).submit(three);
    Q.options({ name: 'g2' }).submit(three);
    for (let i = 0; i < 3; i++) Q.options({ name: `d${i}` }).submit((v: string) => v, g1.at(i));
    sch.start();
    await sch.wait();
    // The walk meets d2 first and follows it through item 2 into g1, which starts first; once
    // g1 has ended, d2, d1, d0 are the newest, then g2.
    assert.deepEqual(starts, ['g1', 'd2', 'd1', 'd0', 'g2']);
  });

  test('items are not tasks: stats count the generator and its dependents only', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, name: 'q' });
    const s = Q.submit(function* () {
      yield 1;
      yield 2;
      yield 3;
    });
    Q.submit((a: number, b: number) => a + b, s.at(0), s.at(2));
    assert.equal(sch.stats().total.ready + sch.stats().total.waiting, 2);
    sch.start();
    await sch.wait();
    assert.equal(sch.stats().total.done, 2);
    assert.equal(sch.stats().queues.q?.done, 2);
  });
});
