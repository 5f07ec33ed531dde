/**
 * `task()`: checks at the call, the typing of references through `submit` (this file must
 * type-check, and each `@ts-expect-error` line must really be an error), and what a reference
 * is at run time.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type Future,
  type FutureStream,
  inline,
  processes,
  Queue,
  Scheduler,
  task,
  threads,
} from '../../src/index.js';
import type * as T from '../fixtures/conformance-tasks.js';
import { FIXTURES } from './fixture-refs.js';

/** True only if X and Y are the same type. */
type Equal<X, Y> =
  (<V>() => V extends X ? 1 : 2) extends <V>() => V extends Y ? 1 : 2 ? true : false;
function expectType<V extends true>(_proof?: V): void {}

describe('task() checks its arguments at the call', () => {
  test('the module must be a file: or data: URL', () => {
    for (const bad of [
      './conformance-tasks.js',
      'conformance-tasks',
      42,
      null,
      new URL('https://example.com/x.js'),
    ]) {
      assert.throws(
        () => task(bad as string, 'add'),
        (e) => e instanceof TypeError && /file: or data: URL/.test(e.message),
      );
    }
    assert.equal(task(FIXTURES.href, 'add').moduleUrl, FIXTURES.href);
  });

  test('the export name must be a non-empty string', () => {
    for (const bad of ['', undefined, 7]) {
      assert.throws(
        () => task(FIXTURES, bad as string),
        (e) => e instanceof TypeError && /non-empty string/.test(e.message),
      );
    }
  });

  test('options: generator is a boolean; numberOfResults a function, with generator', () => {
    assert.throws(() => task(FIXTURES, 'add', 'yes' as never), TypeError);
    assert.throws(() => task(FIXTURES, 'add', { generator: 1 as never }), TypeError);
    assert.throws(
      () => task(FIXTURES, 'squares', { numberOfResults: () => 1 } as never),
      TypeError,
    );
    assert.throws(
      () => task(FIXTURES, 'squares', { generator: true, numberOfResults: 3 as never }),
      TypeError,
    );
  });

  test('a reference says what it points to, and is named after its export', () => {
    const ref = task<typeof T.add>(FIXTURES, 'add');
    assert.equal(ref.exportName, 'add');
    assert.equal(ref.generator, false);
    assert.equal(ref.name, 'add');
    assert.equal(typeof ref, 'function');
  });

  test('calling a reference imports the module and calls the export', async () => {
    assert.equal(await task<typeof T.add>(FIXTURES, 'add')(2, 3), 5);
    const items: number[] = [];
    for await (const v of task<typeof T.squares>(FIXTURES, 'squares', { generator: true })(3)) {
      items.push(v);
    }
    assert.deepEqual(items, [0, 1, 4]);
  });
});

describe('queues and references', () => {
  test('worker queues refuse closures with a TypeError that names task(); nothing is queued', async () => {
    for (const executor of [threads(), processes()]) {
      const sch = new Scheduler();
      const Q = new Queue(sch, { concurrency: 1, executor });
      assert.throws(
        () =>
          Q.submit(function scale(x: number) {
            return x * 2;
          }, 1),
        (e) =>
          e instanceof TypeError &&
          e.message.includes("task(new URL('./module.js', import.meta.url), 'scale')"),
      );
      assert.equal(sch.stats().total.waiting + sch.stats().total.ready, 0);
      await sch.close();
    }
  });

  test('a worker executor serves the queues made before its first task, not after', async () => {
    const sch = new Scheduler();
    const executor = threads();
    const a = new Queue(sch, { concurrency: 1, executor, name: 'a' });
    new Queue(sch, { concurrency: 1, executor, name: 'b' });
    sch.start();
    assert.equal(await a.submit(task<typeof T.add>(FIXTURES, 'add'), 1, 1), 2);
    assert.throws(
      () => new Queue(sch, { concurrency: 1, executor, name: 'late' }),
      (e) => e instanceof TypeError && /late/.test(e.message),
    );
    await sch.close();
  });

  test('executor options are checked at the call', () => {
    for (const make of [threads, processes]) {
      assert.throws(() => make({ abortGrace: -1 }), RangeError);
      assert.throws(() => make({ abortGrace: '5' as never }), TypeError);
      assert.throws(() => make({ execArgv: 'x' as never }), TypeError);
      assert.throws(() => make(3 as never), TypeError);
    }
  });

  test('types: arguments and results are checked from the export', () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, executor: inline() });
    const add = task<typeof T.add>(FIXTURES, 'add');
    const squares = task<typeof T.squares>(FIXTURES, 'squares', { generator: true });
    const sum = Q.submit(add, 1, 2);
    expectType<Equal<typeof sum, Future<number>>>();
    const chained = Q.submit(add, sum, 1); // a Future<number> where a number is expected
    expectType<Equal<typeof chained, Future<number>>>();
    const stream = Q.submit(squares, 4);
    expectType<Equal<typeof stream, FutureStream<number>>>();
    const item = Q.submit(add, stream.at(1), 1);
    expectType<Equal<typeof item, Future<number>>>();
    // @ts-expect-error add takes numbers
    Q.submit(add, 'one', 2);
    // @ts-expect-error add takes two arguments
    Q.submit(add, 1);
    task<typeof T.squares>(FIXTURES, 'squares', {
      generator: true,
      // @ts-expect-error numberOfResults takes the export's arguments (or futures of them)
      numberOfResults: (s: string) => s.length,
    });
    void sch.close();
  });
});
