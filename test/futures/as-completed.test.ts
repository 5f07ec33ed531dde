import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  asCompleted,
  CancelledError,
  currentTask,
  DependencyError,
  Future,
  IndexError,
  Queue,
  Scheduler,
} from '../../src/index.js';
import { deferred } from '../helpers/deferred.js';
import { assertSame, assertSameMembers } from '../helpers/same.js';

describe('asCompleted', () => {
  test('yields the futures themselves, in the order they settle', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 3 });
    const gates = [deferred<string>(), deferred<string>(), deferred<string>()];
    const futures = gates.map((g) => Q.submit(() => g.promise));
    sch.start();
    const seen: Pick<Future<string>, 'result' | 'status'>[] = [];
    const order = [2, 0, 1];
    gates[order[0] as number]?.resolve('first');
    for await (const f of asCompleted(futures)) {
      seen.push(f);
      assert.equal(f.status, 'done', 'a yielded future has settled');
      const next = order[seen.length];
      if (next !== undefined) {
        // The others are still running: each result is available as soon as it exists.
        assert.equal(futures[next]?.status, 'running');
        gates[next]?.resolve(`after ${f.result()}`);
      }
    }
    assertSame(
      seen,
      order.map((i) => futures[i]),
    );
    assert.deepEqual(
      seen.map((f) => f.result()),
      ['first', 'after first', 'after after first'],
    );
  });

  test('futures already settled come first, in the order given', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const a = Q.submit(() => 'a');
    const b = Q.submit(() => 'b');
    const gate = deferred<string>();
    sch.start();
    await sch.wait();
    const c = Q.submit(() => gate.promise);
    const seen: unknown[] = [];
    const iterating = (async () => {
      for await (const f of asCompleted([c, b, a])) {
        seen.push(f);
        if (seen.length === 2) gate.resolve('c');
      }
    })();
    await iterating;
    assertSame(seen, [b, a, c]);
  });

  test('failed and cancelled futures are yielded, not thrown', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const boom = new Error('boom');
    const bad = Q.submit((): number => {
      throw boom;
    });
    const cancelled = Q.submit((x: number) => x + 1, bad);
    const good = Q.submit(() => 1);
    const waited = sch.wait();
    sch.start();
    const seen: unknown[] = [];
    for await (const f of asCompleted([bad, cancelled, good])) seen.push(f);
    await assert.rejects(waited);
    assertSameMembers(seen, [bad, cancelled, good]);
    assert.ok(
      seen.indexOf(bad) < seen.indexOf(cancelled),
      'the cause settles before its dependent',
    );
    assert.throws(
      () => bad.result(),
      (e) => e === boom,
    );
    assert.throws(() => cancelled.result(), DependencyError);
    assert.equal(good.result(), 1);
  });

  test('an empty list ends at once', async () => {
    let n = 0;
    for await (const _ of asCompleted([])) n++;
    assert.equal(n, 0);
  });

  test('iteration can start before start() and stop early', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const gate = deferred<number>();
    const a = Q.submit(() => gate.promise);
    const b = Q.submit(() => 2);
    const it = asCompleted([a, b]);
    const first = it.next();
    sch.start();
    const r = await first;
    assert.equal(r.done, false);
    assert.equal(r.value, b, 'b is newest, so it runs first, and a is still running');
    assert.equal(a.status, 'running');
    await it.return?.();
    gate.resolve(1);
    await sch.wait();
    assert.equal(a.result(), 1);
  });
});

/** Issue 13, item 14, and the rest of its kind: concurrent calls, closing early, odd lists. */
describe('asCompleted: concurrent next(), return(), throw() and the list it is given', () => {
  function gated(Q: Queue, n: number) {
    const gates = Array.from({ length: n }, () => deferred<number>());
    const futures = gates.map((g, i) => Q.options({ name: `t${i}` }).submit(() => g.promise));
    return { gates, futures };
  }

  test('concurrent next() calls each get the next future to settle, in the order called', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 3 });
    const { gates, futures } = gated(Q, 3);
    const it = asCompleted(futures);
    const calls = [it.next(), it.next(), it.next(), it.next()];
    sch.start();
    for (const k of [1, 2, 0]) {
      gates[k]?.resolve(k);
      await futures[k];
    }
    const results = await Promise.all(calls);
    assert.deepEqual(
      results.map((r) => r.done),
      [false, false, false, true],
    );
    assertSame(
      results.slice(0, 3).map((r) => r.value),
      [futures[1], futures[2], futures[0]],
    );
    assert.equal((await it.next()).done, true);
  });

  test('concurrent next() calls over futures already settled get them in the order given', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const futures = [1, 2, 3].map((v) => Q.submit(() => v));
    sch.start();
    await sch.wait();
    const it = asCompleted(futures);
    const results = await Promise.all([it.next(), it.next(), it.next(), it.next()]);
    assertSame(
      results.map((r) => r.value),
      [...futures, undefined],
    );
  });

  test('return() during pending next() calls ends each of them; later settlements are not yielded', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const { gates, futures } = gated(Q, 2);
    const it = asCompleted(futures);
    const pending = [it.next(), it.next()];
    sch.start();
    assert.deepEqual(await it.return?.(), { done: true, value: undefined });
    assert.deepEqual(await Promise.all(pending), [
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
    for (const g of gates) g.resolve(1);
    await sch.wait();
    assert.deepEqual(await it.next(), { done: true, value: undefined });
  });

  test('throw() during pending next() calls ends each of them and rejects with its error', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const { gates, futures } = gated(Q, 2);
    const it = asCompleted(futures);
    const pending = it.next();
    sch.start();
    const stop = new Error('stop');
    assert.ok(it.throw, 'asCompleted has throw()');
    await assert.rejects(it.throw(stop), (e) => e === stop);
    assert.deepEqual(await pending, { done: true, value: undefined });
    for (const g of gates) g.resolve(1);
    await sch.wait();
    assert.deepEqual(await it.next(), { done: true, value: undefined });
  });

  test('breaking out of for await while another next() waits ends that one too', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const { gates, futures } = gated(Q, 2);
    const it = asCompleted(futures);
    sch.start();
    gates[0]?.resolve(0);
    const other = (async () => {
      for await (const f of it) {
        assert.equal(f, futures[0]);
        break;
      }
    })();
    const waiting = it.next();
    await other;
    assert.deepEqual(await waiting, { done: true, value: undefined });
    gates[1]?.resolve(1);
    await sch.wait();
  });

  test('a future given twice is yielded twice, once for each time it is given', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const a = Q.submit(() => 'a');
    const b = Q.submit(() => 'b');
    sch.start();
    const seen: unknown[] = [];
    for await (const f of asCompleted([a, b, a])) seen.push(f);
    assert.equal(seen.length, 3);
    assert.equal(seen.filter((f) => f === a).length, 2);
    assert.equal(seen.filter((f) => f === b).length, 1);
  });

  test('the list is read once, at the call: changing it later changes nothing', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const list = [Q.submit(() => 1), Q.submit(() => 2)];
    const it = asCompleted(list);
    const extra = Q.submit(() => 3);
    list.push(extra);
    list.shift();
    sch.start();
    const seen: unknown[] = [];
    for await (const f of it) seen.push(f);
    assert.equal(seen.length, 2);
    assert.ok(!seen.includes(extra));
  });

  test('any iterable of futures: a Set, a generator, item futures of a stream (past the end too)', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const s = Q.submit(function* two() {
      yield 'x';
      yield 'y';
    });
    const items = [s.at(0), s.at(1), s.at(2)];
    const plain = Q.submit(() => 'p');
    function* some() {
      yield plain;
      yield* items;
    }
    sch.start();
    const fromGenerator: unknown[] = [];
    for await (const f of asCompleted(some())) fromGenerator.push(f);
    assertSameMembers(fromGenerator, [plain, ...items]);
    const fromSet: unknown[] = [];
    for await (const f of asCompleted(new Set([plain, s]))) fromSet.push(f);
    assertSameMembers(fromSet, [plain, s]);
    assert.throws(() => (items[2] as Future<string>).result(), IndexError);
    await sch.wait();
  });

  test('futures of tasks cancelled by their signal, before and while running, are yielded', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const early = new AbortController();
    const late = new AbortController();
    const running = Q.options({ signal: late.signal }).submit(
      () =>
        new Promise<number>((_, reject) => {
          const signal = currentTask()?.signal;
          signal?.addEventListener('abort', () => reject(signal.reason));
        }),
    );
    const unstarted = Q.options({ signal: early.signal }).submit(() => 1);
    const it = asCompleted([running, unstarted]);
    const first = it.next();
    early.abort(new Error('early'));
    assert.equal((await first).value, unstarted);
    sch.start();
    const second = it.next();
    late.abort(new Error('late'));
    assert.equal((await second).value, running);
    assert.throws(() => running.result(), CancelledError);
    assert.throws(() => unstarted.result(), CancelledError);
    await sch.wait();
  });

  test('a list holding something other than a future is a TypeError at the call, naming its place', () => {
    const sch = new Scheduler();
    const Q = new Queue(sch);
    const good = Q.submit(() => 1);
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    const fake = Object.create(Future.prototype) as Future<number>;
    // biome-ignore lint/suspicious/noThenProperty: a thenable that is no future, on purpose.
    const thenable = { then() {} };
    for (const bad of [5, null, undefined, 'x', thenable, Promise.resolve(1), fake, trap]) {
      assert.throws(
        () => asCompleted([good, bad as Future<number>]),
        (e) =>
          e instanceof TypeError &&
          e.message.includes('Expected asCompleted() to be given futures') &&
          e.message.includes('at index 1'),
        typeof bad,
      );
    }
  });

  test('something that is not an iterable is a TypeError at the call', () => {
    for (const bad of [null, undefined, 5, {}, { length: 1, 0: 1 }]) {
      assert.throws(
        () => asCompleted(bad as never),
        (e) =>
          e instanceof TypeError &&
          e.message.includes('Expected asCompleted() to be given an iterable of futures'),
        String(bad),
      );
    }
  });
});
