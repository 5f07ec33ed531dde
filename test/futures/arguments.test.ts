import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Future, Queue, Scheduler } from '../../src/index.js';
import { deferred, ticks } from '../helpers/deferred.js';

function setup(): { sch: Scheduler; Q: Queue } {
  const sch = new Scheduler();
  return { sch, Q: new Queue(sch, { concurrency: 2 }) };
}

describe('futures as arguments', () => {
  test('a top-level future is replaced by its value', async () => {
    const { sch, Q } = setup();
    const a = Q.submit(() => 20);
    const b = Q.submit(async () => 'x');
    const seen: unknown[][] = [];
    const c = Q.submit(
      (n: number, s: string, k: number) => {
        seen.push([n, s, k]);
        return `${s}${n + k}`;
      },
      a,
      b,
      1,
    );
    sch.start();
    await sch.wait();
    assert.deepEqual(seen, [[20, 'x', 1]]);
    assert.equal(c.result(), 'x21');
  });

  test('futures inside plain arrays and objects, at any depth, are replaced', async () => {
    const { sch, Q } = setup();
    const a = Q.submit(() => 1);
    const b = Q.submit(async () => 2);
    const c = Q.submit(() => 3);
    const leaf = { keep: 'me' };
    let got: unknown;
    const arg = { x: [a, { y: [[b]], z: leaf }], w: { deep: { deeper: { deepest: c } } }, n: 0 };
    Q.submit((v: unknown) => {
      got = v;
    }, arg);
    sch.start();
    await sch.wait();
    assert.deepEqual(got, {
      x: [1, { y: [[2]], z: { keep: 'me' } }],
      w: { deep: { deeper: { deepest: 3 } } },
      n: 0,
    });
  });

  test('an object with a null prototype counts as a plain object', async () => {
    const { sch, Q } = setup();
    const a = Q.submit(() => 5);
    const bare: Record<string, unknown> = Object.create(null);
    bare.v = a;
    let got: unknown;
    Q.submit((v: Record<string, unknown>) => {
      got = v.v;
    }, bare);
    sch.start();
    await sch.wait();
    assert.equal(got, 5);
  });

  test('the containers the user passed are not mutated', async () => {
    const { sch, Q } = setup();
    const a = Q.submit(() => 1);
    const b = Q.submit(() => 2);
    const inner = { b };
    const list = [a, inner, 'k'];
    const obj = { list, top: a };
    let received: unknown;
    Q.submit((o: unknown) => {
      received = o;
    }, obj);
    Q.submit((l: unknown[]) => l.length, list);
    sch.start();
    await sch.wait();
    assert.equal(obj.list, list);
    assert.equal(obj.top, a);
    assert.equal(list[0], a);
    assert.equal(list[1], inner);
    assert.equal(inner.b, b);
    assert.equal(list.length, 3);
    assert.notEqual(received, obj, 'the task gets a copy, with values in place');
    assert.deepEqual(received, { list: [1, { b: 2 }, 'k'], top: 1 });
  });

  test('typed arrays, Maps, Sets and class instances are passed as they are', async () => {
    const { sch, Q } = setup();
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    const a = Q.submit(() => 9);
    const typed = new Float64Array([1, 2, 3]);
    const map = new Map<string, unknown>([['f', a]]);
    const set = new Set<unknown>([a]);
    const point = new Point(1, 2);
    const date = new Date(0);
    const got: unknown[] = [];
    Q.submit(
      (t: Float64Array, m: Map<string, unknown>, s: Set<unknown>, p: Point, d: Date, n: number) => {
        got.push(t, m, s, p, d, n);
      },
      typed,
      map,
      set,
      point,
      date,
      a,
    );
    let nested: { t: unknown; m: unknown; p: unknown } | undefined;
    Q.submit(
      (o: { t: Float64Array; m: Map<string, unknown>; p: Point }) => {
        nested = o;
      },
      { t: typed, m: map, p: point },
    );
    sch.start();
    await sch.wait();
    assert.equal(got[0], typed);
    assert.equal(got[1], map);
    assert.equal(got[2], set);
    assert.equal(got[3], point);
    assert.equal(got[4], date);
    assert.equal(got[5], 9);
    assert.equal(map.get('f'), a, 'a future inside a Map is left alone');
    assert.ok(set.has(a), 'a future inside a Set is left alone');
    assert.deepEqual([...typed], [1, 2, 3]);
    assert.equal(nested?.t, typed);
    assert.equal(nested?.m, map);
    assert.equal(nested?.p, point);
  });

  test('the same future twice in the arguments works', async () => {
    const { sch, Q } = setup();
    let calls = 0;
    const a = Q.submit(() => {
      calls++;
      return 4;
    });
    const b = Q.submit(
      (x: number, y: number, z: { again: number[] }) => x * y + (z.again[0] ?? 0),
      a,
      a,
      {
        again: [a],
      },
    );
    sch.start();
    await sch.wait();
    assert.equal(b.result(), 20);
    assert.equal(calls, 1);
    assert.equal(sch.stats().total.done, 2);
  });

  test('a task waits for all its futures, nested ones included', async () => {
    const { sch, Q } = setup();
    const order: string[] = [];
    const gate = deferred<number>();
    const slow = Q.submit(() => gate.promise);
    const fast = Q.submit(() => 1);
    const sum = Q.submit(
      (o: { v: number[] }) => {
        order.push('sum');
        return (o.v[0] ?? 0) + (o.v[1] ?? 0);
      },
      { v: [fast, slow] },
    );
    sch.start();
    await fast;
    await ticks();
    assert.equal(sum.status, 'waiting');
    assert.deepEqual(order, []);
    gate.resolve(2);
    await sch.wait();
    assert.equal(sum.result(), 3);
  });

  test('a future of another scheduler throws TypeError at submit and queues nothing', async () => {
    const other = new Scheduler();
    const foreign: Future<number> = new Queue(other, { concurrency: 1 }).submit(() => 1);
    const { sch, Q } = setup();
    const own = Q.submit(() => 2);
    const before = sch.stats();
    let ran = false;
    const use = (x: number): number => {
      ran = true;
      return x;
    };
    assert.throws(() => Q.submit(use, foreign), TypeError);
    assert.throws(
      () =>
        Q.options({ name: 'nested-user' }).submit((o: { v: number[] }) => o.v, {
          v: [own, foreign],
        }),
      (e) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, /nested-user/);
        assert.match(e.message, new RegExp(`\\b${foreign.id}\\b`));
        return true;
      },
    );
    assert.deepEqual(sch.stats(), before);
    sch.start();
    await sch.wait();
    assert.equal(ran, false);
    assert.equal(sch.stats().total.done, 1);
  });
});
