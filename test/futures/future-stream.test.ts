import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CancelledError,
  DependencyError,
  Future,
  FutureStream,
  IndexError,
  NotReadyError,
  Queue,
  Scheduler,
} from '../../src/index.js';
import { deferred, ticks } from '../helpers/deferred.js';
import { feed } from '../helpers/feed.js';

/** FutureStream (API.md section 4): awaiting, at(i), length, and for await. */

function* count(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i * 10;
}

function setup(concurrency = 2): { sch: Scheduler; Q: Queue } {
  const sch = new Scheduler();
  return { sch, Q: new Queue(sch, { concurrency }) };
}

describe('FutureStream: the whole stream', () => {
  test('a sync generator function gives a FutureStream; await gives all its items', async () => {
    const { sch, Q } = setup();
    const s = Q.submit(count, 4);
    assert.ok(s instanceof FutureStream);
    assert.ok(s instanceof Future, 'a FutureStream is a Future of the array of items');
    assert.equal(s.status, 'ready');
    sch.start();
    assert.deepEqual(await s, [0, 10, 20, 30]);
    assert.equal(s.status, 'done');
    assert.deepEqual(s.result(), [0, 10, 20, 30]);
    await sch.wait();
  });

  test('an async generator function gives a FutureStream too', async () => {
    const { sch, Q } = setup();
    const s = Q.submit(async function* (word: string) {
      for (const ch of word) {
        await Promise.resolve();
        yield ch.toUpperCase();
      }
    }, 'abc');
    assert.ok(s instanceof FutureStream);
    sch.start();
    assert.deepEqual(await s, ['A', 'B', 'C']);
    await sch.wait();
  });

  test('a generator yielding nothing gives an empty array', async () => {
    const { sch, Q } = setup();
    const s = Q.submit(count, 0);
    sch.start();
    assert.deepEqual(await s, []);
    assert.equal(s.length, 0);
  });

  test('the whole stream as an argument passes the array of all items, once it ends', async () => {
    const { sch, Q } = setup(4);
    const f = feed<number>();
    const s = Q.submit(f.fn);
    const seen: unknown[] = [];
    const top = Q.submit((xs: number[]) => {
      seen.push(xs);
      return xs.length;
    }, s);
    const nested = Q.submit((o: { all: number[]; more: [number[], number] }) => o, {
      all: s,
      more: [s, 7],
    });
    sch.start();
    await f.reached(0);
    f.push(1);
    f.push(2);
    await f.reached(2);
    await ticks();
    assert.equal(top.status, 'waiting', 'a task on the whole stream waits for its end');
    assert.deepEqual(seen, []);
    f.end();
    assert.equal(await top, 2);
    assert.deepEqual(seen, [[1, 2]]);
    assert.deepEqual(await nested, { all: [1, 2], more: [[1, 2], 7] });
    await sch.wait();
  });
});

describe('FutureStream: at(i)', () => {
  test('at(i) is a future at once, before the generator runs, usable as an argument', async () => {
    const { sch, Q } = setup();
    let calls = 0;
    const s = Q.submit(function* () {
      calls++;
      yield 'a';
      yield 'b';
      yield 'c';
    });
    const b = s.at(1);
    assert.ok(b instanceof Future);
    assert.equal(calls, 0, 'the generator has not run');
    assert.notEqual(b.status, 'done');
    assert.throws(() => b.result(), NotReadyError);
    const joined = Q.submit((x: string, y: string) => x + y, s.at(2), b);
    sch.start();
    assert.equal(await b, 'b');
    assert.equal(b.result(), 'b');
    assert.equal(await joined, 'cb');
    assert.equal(calls, 1);
    await sch.wait();
  });

  test('at(i) after the end: a yielded item is done at once, one past the end fails with IndexError', async () => {
    const { sch, Q } = setup();
    const s = Q.options({ name: 'three' }).submit(count, 3);
    sch.start();
    await sch.wait();
    const last = s.at(2);
    assert.equal(last.status, 'done');
    assert.equal(last.result(), 20);
    const past = s.at(3);
    assert.equal(past.status, 'failed');
    assert.throws(
      () => past.result(),
      (e) => {
        assert.ok(e instanceof IndexError);
        assert.ok(e instanceof Error);
        assert.equal(e.index, 3);
        assert.match(e.message, new RegExp(`\\b${s.id}\\b`));
        assert.match(e.message, /three/);
        return true;
      },
    );
    await assert.rejects(async () => s.at(10), IndexError);
    await sch.wait(); // an item past the end is no task failure
  });

  test('at() takes only a non-negative integer: RangeError, or TypeError for a non-number', () => {
    const { Q } = setup();
    const s = Q.submit(count, 3);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, -0.5]) {
      assert.throws(() => s.at(bad), RangeError, `at(${bad})`);
    }
    for (const bad of ['1', undefined, null, 1n, {}]) {
      assert.throws(
        () => s.at(bad as unknown as number),
        (e) => e instanceof TypeError && !(e instanceof RangeError),
        `at(${String(bad)})`,
      );
    }
    assert.ok(s.at(0) instanceof Future);
  });
});

describe('FutureStream: length', () => {
  test('without a count, length is undefined until the generator ends, then the count', async () => {
    const { sch, Q } = setup();
    const f = feed<number>();
    const s = Q.submit(f.fn);
    assert.equal(s.length, undefined);
    sch.start();
    await f.reached(0);
    f.push(5);
    f.push(6);
    await s.at(1);
    assert.equal(s.status, 'running');
    assert.equal(s.length, undefined, 'still open while the generator runs');
    f.end();
    await s;
    assert.equal(s.length, 2);
  });

  test('with a declared count, length is known at submit', () => {
    const { Q } = setup();
    function* pairs(n: number) {
      for (let i = 0; i < n; i++) yield [i, i] as const;
    }
    pairs.numberOfResults = (n: number) => n;
    const s = Q.submit(pairs, 6);
    assert.equal(s.length, 6);
  });
});

describe('FutureStream: for await', () => {
  test('yields each value in order as it comes, when iteration starts before any item', async () => {
    const { sch, Q } = setup();
    const f = feed<string>();
    const s = Q.submit(f.fn);
    const got: string[] = [];
    const arrived = [deferred(), deferred(), deferred()];
    const reading = (async () => {
      for await (const v of s) {
        got.push(v);
        arrived[got.length - 1]?.resolve();
      }
      return got.length;
    })();
    sch.start();
    f.push('x');
    await arrived[0]?.promise;
    assert.deepEqual(got, ['x']);
    assert.equal(s.status, 'running', 'the first value comes while the generator goes on');
    f.push('y');
    f.push('z');
    await arrived[2]?.promise;
    assert.deepEqual(got, ['x', 'y', 'z']);
    f.end();
    assert.equal(await reading, 3);
    assert.deepEqual(got, ['x', 'y', 'z']);
  });

  test('yields every value from the first when iteration starts after the items exist', async () => {
    const { sch, Q } = setup();
    const f = feed<number>();
    const s = Q.submit(f.fn);
    sch.start();
    f.push(1);
    f.push(2);
    await s.at(1);
    const got: number[] = [];
    const reading = (async () => {
      for await (const v of s) got.push(v);
    })();
    f.push(3);
    f.end();
    await reading;
    assert.deepEqual(got, [1, 2, 3]);
    const again: number[] = [];
    for await (const v of s) again.push(v);
    assert.deepEqual(again, [1, 2, 3], 'after the end, a new loop yields all from the first');
  });

  test('two loops at once each get every value', async () => {
    const { sch, Q } = setup();
    const s = Q.submit(async function* () {
      for (let i = 0; i < 5; i++) {
        await Promise.resolve();
        yield i;
      }
    });
    const read = async (): Promise<number[]> => {
      const got: number[] = [];
      for await (const v of s) got.push(v);
      return got;
    };
    const both = Promise.all([read(), read()]);
    sch.start();
    assert.deepEqual(await both, [
      [0, 1, 2, 3, 4],
      [0, 1, 2, 3, 4],
    ]);
  });

  test("throws the generator's error after the items it yielded (async generator)", async () => {
    const { sch, Q } = setup();
    const f = feed<number>();
    const s = Q.submit(f.fn);
    const boom = new Error('boom');
    const got: number[] = [];
    const reading = (async () => {
      for await (const v of s) got.push(v);
    })();
    sch.start();
    f.push(1);
    f.push(2);
    f.fail(boom);
    await assert.rejects(reading, (e) => e === boom);
    assert.deepEqual(got, [1, 2]);
    await assert.rejects(sch.wait());
  });

  test("throws the generator's error after the items it yielded (sync generator, loop after the end)", async () => {
    const { sch, Q } = setup();
    const boom = new RangeError('sync boom');
    const s = Q.submit(function* () {
      yield 'a';
      yield 'b';
      throw boom;
    });
    sch.start();
    await assert.rejects(sch.wait());
    const got: string[] = [];
    await assert.rejects(
      async () => {
        for await (const v of s) got.push(v);
      },
      (e) => e === boom,
    );
    assert.deepEqual(got, ['a', 'b']);
  });

  test('throws DependencyError for a generator cancelled because its dependency failed', async () => {
    const { sch, Q } = setup();
    const boom = new Error('upstream');
    const up = Q.submit((): number => {
      throw boom;
    });
    const s = Q.submit(count, up);
    sch.start();
    await assert.rejects(sch.wait());
    assert.equal(s.status, 'cancelled');
    await assert.rejects(
      async () => {
        for await (const _ of s) assert.fail('no item');
      },
      (e) => e instanceof DependencyError && e.cause === boom,
    );
    assert.equal(s.at(0).status, 'cancelled');
  });

  test('a loop waiting before the generator starts throws when a failed dependency cancels it', async () => {
    const { sch, Q } = setup();
    const boom = new Error('upstream');
    const gate = deferred<number>();
    const up = Q.submit(() => gate.promise);
    const s = Q.submit(count, up);
    const reading = (async () => {
      for await (const _ of s) assert.fail('no item');
    })();
    sch.start();
    gate.reject(boom);
    await assert.rejects(reading, (e) => e instanceof DependencyError && e.cause === boom);
    await assert.rejects(sch.wait());
  });

  test('a loop waiting on a generator whose signal aborts before it starts throws CancelledError', async () => {
    const { sch, Q } = setup();
    const controller = new AbortController();
    const s = Q.options({ signal: controller.signal }).submit(count, 3);
    const loops = [0, 1].map(async () => {
      for await (const _ of s) assert.fail('no item');
    });
    controller.abort(new Error('not wanted'));
    for (const loop of loops) await assert.rejects(loop, CancelledError);
    sch.start();
    await sch.wait();
  });
});
