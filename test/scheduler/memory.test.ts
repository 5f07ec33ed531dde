import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Future, Queue, Scheduler } from '../../src/index.js';
import { deferred, ticks } from '../helpers/deferred.js';

/** The `gc()` function: from --expose-gc, or switched on here if the runner lacks the flag. */
function getGc(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const gc = getGc();

/** Collects garbage a few times, letting the event loop turn between (WeakRefs need it). */
async function collected(ref: WeakRef<object>, rounds = 10): Promise<boolean> {
  for (let i = 0; i < rounds; i++) {
    await ticks(1);
    gc();
    if (ref.deref() === undefined) return true;
  }
  return false;
}

/** A value large enough to matter, and a weak reference to watch it. */
function bigValue(): { value: { data: Float64Array }; ref: WeakRef<object> } {
  const value = { data: new Float64Array(1 << 17).fill(1) };
  return { value, ref: new WeakRef(value) };
}

describe('memory', () => {
  test('the gc function is available', () => {
    assert.equal(typeof gc, 'function');
  });

  test('a finished task whose future was dropped is collected, the scheduler still alive', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const refs: WeakRef<object>[] = [];
    // The future is dropped at once; nothing pending needs the value.
    Q.submit(() => {
      const { value, ref } = bigValue();
      refs.push(ref);
      return value;
    });
    sch.start();
    await sch.wait();
    assert.equal(refs.length, 1);
    assert.ok(await collected(refs[0] as WeakRef<object>), 'the value of a finished task is kept');
    assert.equal(sch.stats().total.done, 1, 'the scheduler itself is alive');
    assert.equal(await Q.submit(() => 'still works'), 'still works');
  });

  test('an awaited future, once dropped, releases its value (async task)', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    let ref: WeakRef<object> | undefined;
    let future: Future<{ data: Float64Array }> | undefined = Q.submit(async () => {
      await ticks(1);
      const big = bigValue();
      ref = big.ref;
      return big.value;
    });
    sch.start();
    assert.equal((await future).data.length, 1 << 17);
    future = undefined;
    await sch.wait();
    assert.ok(ref !== undefined);
    assert.ok(await collected(ref), 'the value of a finished task is kept');
    assert.equal(sch.stats().total.done, 1);
  });

  test('values of a finished chain are collected once their futures are dropped', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const refs: WeakRef<object>[] = [];
    const step = (prev: { data: Float64Array } | null) => {
      const { value, ref } = bigValue();
      refs.push(ref);
      if (prev !== null) value.data[0] = (prev.data[0] ?? 0) + 1;
      return value;
    };
    let last = Q.submit(step, null);
    for (let i = 0; i < 4; i++) last = Q.submit(step, last);
    sch.start();
    assert.equal((await last).data[0], 5);
    // Drop the last future by reusing the variable for an unrelated task.
    last = Q.submit(step, null);
    await sch.wait();
    assert.equal(refs.length, 6);
    for (const [i, ref] of refs.slice(0, 5).entries()) {
      assert.ok(await collected(ref), `value ${i} of the chain is kept`);
    }
    assert.ok(last.result().data.length > 0, 'the future still held keeps its value');
  });

  test('a value still needed by a pending task is kept, then released after it ran', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const gate = deferred<number>();
    const sums: number[] = [];
    let ref: WeakRef<object> | undefined;
    (() => {
      // Every future is dropped when this function returns: only the scheduler holds them.
      const source = Q.submit(() => {
        const big = bigValue();
        ref = big.ref;
        return big.value;
      });
      const blocker = Q.submit(() => gate.promise);
      Q.submit(
        (v: { data: Float64Array }, k: number) => {
          sums.push(v.data.reduce((a, b) => a + b, 0) * k);
        },
        source,
        blocker,
      );
    })();
    sch.start();
    await ticks();
    assert.ok(ref !== undefined, 'the source task ran');
    assert.equal(await collected(ref, 5), false, 'a pending task needs the value');
    assert.deepEqual(sums, []);
    gate.resolve(2);
    await sch.wait();
    assert.deepEqual(sums, [2 * (1 << 17)], 'the consumer got the value intact');
    assert.ok(await collected(ref), 'no pending task needs the value any more');
    assert.equal(sch.stats().total.done, 3);
  });

  test('a held future keeps its value', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    let ref: WeakRef<object> | undefined;
    const kept = Q.submit(() => {
      const big = bigValue();
      ref = big.ref;
      return big.value;
    });
    sch.start();
    await sch.wait();
    assert.ok(ref !== undefined);
    assert.equal(await collected(ref, 5), false);
    assert.equal(kept.result().data.length, 1 << 17);
  });
});
