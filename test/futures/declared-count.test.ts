import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DependencyError,
  Future,
  IndexError,
  Queue,
  Scheduler,
  StreamCountError,
} from '../../src/index.js';
import { failureOf } from '../helpers/failure.js';

/**
 * Declared counts (API.md section 4): `fn.numberOfResults = (...args) => n`, the item futures
 * of `[Symbol.iterator]`, and what a generator that yields another count does.
 */

function setup(concurrency = 2): { sch: Scheduler; Q: Queue } {
  const sch = new Scheduler();
  return { sch, Q: new Queue(sch, { concurrency }) };
}

/** A generator that yields `actual` items but declares `declared`. */
function miscounted(declared: number) {
  const fn = function* (actual: number) {
    for (let i = 0; i < actual; i++) yield i + 100;
  };
  Object.defineProperty(fn, 'name', { value: 'miscounted' });
  return Object.assign(fn, { numberOfResults: (_actual: number) => declared });
}

describe('numberOfResults', () => {
  test('is called once, at submit time, with the arguments as passed (futures unresolved)', async () => {
    const { sch, Q } = setup();
    const n = Q.submit(() => 3);
    const calls: unknown[][] = [];
    let ran = false;
    function* upTo(limit: number, opts: { step: number }) {
      ran = true;
      for (let i = 0; i < limit; i += opts.step) yield i;
    }
    upTo.numberOfResults = (...args: unknown[]) => {
      calls.push(args);
      return 3;
    };
    const opts = { step: 1 };
    const s = Q.submit(upTo, n, opts);
    assert.equal(calls.length, 1, 'called at submit');
    assert.equal(ran, false);
    const [first, second] = calls[0] ?? [];
    assert.ok(first === n, 'the future itself, not its value');
    assert.ok(second === opts, 'the very object passed');
    assert.equal(s.length, 3);
    sch.start();
    assert.deepEqual(await s, [0, 1, 2]);
    assert.equal(calls.length, 1, 'not called again when the task runs');
  });

  test('returning undefined leaves the stream open-ended', async () => {
    const { sch, Q } = setup();
    function* two() {
      yield 1;
      yield 2;
    }
    two.numberOfResults = () => undefined;
    const s = Q.submit(two);
    assert.equal(s.length, undefined);
    assert.throws(() => [...s], TypeError);
    sch.start();
    assert.deepEqual(await s, [1, 2]);
    assert.equal(s.length, 2);
  });

  test('a count that is not a non-negative integer is a RangeError at submit; nothing is queued', async () => {
    const { sch, Q } = setup();
    let ran = 0;
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      function* gen() {
        ran++;
        yield 1;
      }
      gen.numberOfResults = () => bad;
      assert.throws(() => Q.submit(gen), RangeError, `numberOfResults returning ${bad}`);
    }
    const notAFunction = Object.assign(
      function* () {
        ran++;
        yield 1;
      },
      { numberOfResults: 3 },
    );
    assert.throws(() => Q.submit(notAFunction as unknown as () => Generator<number>), TypeError);
    assert.deepEqual(sch.stats().total, {
      waiting: 0,
      ready: 0,
      running: 0,
      done: 0,
      failed: 0,
      cancelled: 0,
    });
    const ok = Q.submit(() => 'still fine');
    sch.start();
    await sch.wait();
    assert.equal(ok.result(), 'still fine');
    assert.equal(ran, 0, 'no refused generator ever ran');
    assert.equal(sch.stats().total.done, 1, 'only the good task was queued');
  });
});

describe('iterating a stream as item futures', () => {
  test('const [a, b] = stream and [...stream] give the item futures, usable as arguments', async () => {
    const { sch, Q } = setup();
    function* letters(word: string) {
      yield* word;
    }
    letters.numberOfResults = (word: string) => word.length;
    const s = Q.submit(letters, 'xyz');
    const [a, b] = s;
    const all = [...s];
    assert.equal(all.length, 3);
    for (const item of [a, b, ...all]) assert.ok(item instanceof Future);
    const ab = Q.submit((x: string, y: string) => y + x, a as Future<string>, b as Future<string>);
    sch.start();
    assert.equal(await ab, 'yx');
    assert.deepEqual(await Promise.all(all), ['x', 'y', 'z']);
    assert.deepEqual(
      all.map((f) => f.result()),
      ['x', 'y', 'z'],
    );
  });

  test('a declared count of 0 iterates as no futures', async () => {
    const { sch, Q } = setup();
    function* none() {}
    none.numberOfResults = () => 0;
    const s = Q.submit(none);
    assert.deepEqual([...s], []);
    sch.start();
    assert.deepEqual(await s, []);
  });

  test('without a declared count, iterating as item futures throws TypeError', () => {
    const { Q } = setup();
    const s = Q.options({ name: 'open' }).submit(function* () {
      yield 1;
    });
    assert.throws(
      () => [...s],
      (e) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, /numberOfResults/);
        assert.match(e.message, /open/);
        return true;
      },
    );
    assert.throws(() => {
      const [a] = s;
      void a;
    }, TypeError);
  });
});

describe('a generator that yields another count than it declared', () => {
  test('fewer: the task fails with StreamCountError; yielded items stay done, missing ones fail with IndexError', async () => {
    const { sch, Q } = setup();
    const s = Q.submit(miscounted(4), 2);
    const [i0, i1, i2, i3] = s;
    const early = s.at(3);
    const onYielded = Q.submit((x: number) => x + 1, s.at(1));
    const onMissing = Q.submit((x: number) => x + 1, s.at(2));
    const onAll = Q.submit((xs: number[]) => xs.length, s);
    sch.start();
    const failure = await failureOf(sch);
    assert.equal(failure.errors.length, 1, 'one failed task: the generator');
    const error = failure.errors[0];
    assert.ok(error instanceof StreamCountError);
    assert.equal(error.declared, 4);
    assert.equal(error.actual, 2);
    assert.match(error.message, /\b4\b/, 'names the declared count');
    assert.match(error.message, /\b2\b/, 'names the actual count');
    assert.match(error.message, new RegExp(`\\b${s.id}\\b`));
    assert.equal(s.status, 'failed');
    await assert.rejects(
      async () => s,
      (e) => e === error,
    );
    assert.equal(i0?.result(), 100);
    assert.equal(i1?.result(), 101);
    assert.equal(onYielded.result(), 102, 'a dependent of a yielded item runs');
    assert.equal(onMissing.status, 'cancelled');
    assert.throws(() => onMissing.result(), DependencyError);
    assert.equal(onAll.status, 'cancelled');
    for (const [name, missing] of [
      ['i2', i2],
      ['i3', i3],
      ['early at(3)', early],
      ['late at(2)', s.at(2)],
    ] as const) {
      assert.equal(missing?.status, 'failed', name);
      assert.throws(() => missing?.result(), IndexError, `${name} fails with IndexError`);
    }
  });

  test('more: the task fails with StreamCountError naming both counts; declared items stay done', async () => {
    const { sch, Q } = setup();
    const s = Q.submit(miscounted(2), 5);
    const onFirst = Q.submit((x: number) => x * 2, s.at(0));
    const onAll = Q.submit((xs: number[]) => xs.length, s);
    sch.start();
    const failure = await failureOf(sch);
    assert.equal(failure.errors.length, 1);
    const error = failure.errors[0];
    assert.ok(error instanceof StreamCountError);
    assert.equal(error.declared, 2);
    assert.match(error.message, /\b2\b/, 'names the declared count');
    assert.equal(s.status, 'failed');
    assert.equal(s.at(0).result(), 100);
    assert.equal(s.at(1).result(), 101);
    assert.equal(onFirst.result(), 200);
    assert.equal(onAll.status, 'cancelled');
    assert.ok(
      error.actual > error.declared,
      `actual (${error.actual}) counts the surplus item(s): more than the declared ${error.declared}`,
    );
    assert.match(error.message, new RegExp(`\\b${error.actual}\\b`), 'names the actual count');
  });

  test('the count is checked for async generators too', async () => {
    const { sch, Q } = setup();
    const gen = Object.assign(
      async function* () {
        await Promise.resolve();
        yield 'only';
      },
      { numberOfResults: () => 2 },
    );
    const s = Q.submit(gen);
    sch.start();
    const failure = await failureOf(sch);
    assert.ok(failure.errors[0] instanceof StreamCountError);
    assert.equal(s.at(0).result(), 'only');
    assert.throws(() => s.at(1).result(), IndexError);
  });
});
