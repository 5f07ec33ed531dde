import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asCompleted, DependencyError, type Future, Queue, Scheduler } from '../../src/index.js';
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
