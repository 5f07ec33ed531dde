import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DependencyError,
  type Future,
  type FutureStream,
  IndexError,
  NonErrorThrown,
  Queue,
  Scheduler,
} from '../../src/index.js';
import { ticks } from '../helpers/deferred.js';
import { failureOf } from '../helpers/failure.js';
import { feed } from '../helpers/feed.js';

/**
 * A generator task that throws, items asked past the end of an open-ended stream, and a
 * generator cancelled by a failed dependency (API.md sections 4 and 6).
 */

function errorOf(future: Future<unknown>): unknown {
  try {
    future.result();
  } catch (error) {
    return error;
  }
  assert.fail(`future ${future.name} did not fail`);
}

/** Asserts `future` was cancelled with a DependencyError blaming `root` and its `cause`. */
function assertBlames(future: Future<unknown>, root: Future<unknown>, cause: unknown): void {
  assert.equal(future.status, 'cancelled', `${future.name} is cancelled`);
  const error = errorOf(future);
  assert.ok(error instanceof DependencyError, `${future.name}: ${String(error)}`);
  assert.equal(error.cause, cause);
  assert.equal(error.failedTask.id, root.id);
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

describe('a generator that throws', () => {
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => {
    process.off('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, [], 'failed items nobody awaited raise no unhandled rejection');
  });

  test('after k items: items < k stay done and their dependents run; the rest fail and their dependents are cancelled', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const boom = new Error('boom after 2');
    const s = Q.options({ name: 'twoThenThrow' }).submit(function* () {
      yield 'a';
      yield 'b';
      throw boom;
    });
    const ran: string[] = [];
    const onItem = (i: number) =>
      Q.options({ name: `on${i}` }).submit((v: string) => {
        ran.push(`on${i}:${v}`);
        return v;
      }, s.at(i));
    const deps = [0, 1, 2, 3].map(onItem);
    const onAll = Q.submit((xs: string[]) => xs.length, s);
    const further = Q.submit((v: string) => v, deps[2] as Future<string>);
    sch.start();
    const failure = await failureOf(sch);
    assert.deepEqual(failure.errors, [boom], 'only the generator failed');
    assert.equal(s.status, 'failed');
    assert.equal(errorOf(s), boom);
    await assert.rejects(
      async () => s,
      (e) => e === boom,
    );
    assert.equal(s.at(0).result(), 'a');
    assert.equal(s.at(1).result(), 'b');
    for (const i of [2, 3, 7]) {
      assert.equal(s.at(i).status, 'failed');
      assert.equal(errorOf(s.at(i)), boom, `item ${i} fails with the generator's error`);
    }
    assert.deepEqual(ran.sort(), ['on0:a', 'on1:b']);
    assert.equal(deps[0]?.result(), 'a');
    assert.equal(deps[1]?.result(), 'b');
    for (const cancelled of [deps[2], deps[3], onAll, further] as Future<unknown>[]) {
      assertBlames(cancelled, s, boom);
    }
  });

  test('an async generator: dependents of early items ran while it went on; it fails later', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const f = feed<number>();
    const s = Q.submit(f.fn);
    const d0 = Q.submit((v: number) => v * 10, s.at(0));
    const d1 = Q.submit((v: number) => v * 10, s.at(1));
    sch.start();
    f.push(4);
    assert.equal(await d0, 40);
    assert.equal(s.status, 'running');
    assert.equal(d1.status, 'waiting');
    const boom = new TypeError('late failure');
    f.fail(boom);
    const failure = await failureOf(sch);
    assert.deepEqual(failure.errors, [boom]);
    assert.equal(d0.result(), 40, 'a finished dependent keeps its value');
    assert.equal(s.at(0).result(), 4);
    assertBlames(d1, s, boom);
    assert.equal(errorOf(s.at(1)), boom);
  });

  test('before any item: every item and every dependent fails or is cancelled', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const boom = new Error('at once');
    const s: FutureStream<number> = Q.submit(async function* () {
      await Promise.resolve();
      throw boom;
      // biome-ignore lint/correctness/noUnreachable: the generator's yield type comes from here
      yield 1;
    });
    const item = s.at(0);
    const d = Q.submit((v: number) => v, item);
    sch.start();
    const failure = await failureOf(sch);
    assert.deepEqual(failure.errors, [boom]);
    assert.equal(errorOf(item), boom);
    assertBlames(d, s, boom);
    assert.equal(s.length, 0);
  });

  test('a non-Error thrown is wrapped, for the stream and its missing items alike', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const s = Q.submit(function* () {
      yield 1;
      throw 'a string';
    });
    sch.start();
    const failure = await failureOf(sch);
    const error = failure.errors[0];
    assert.ok(error instanceof NonErrorThrown);
    assert.equal(error.value, 'a string');
    assert.equal(errorOf(s), error);
    assert.equal(errorOf(s.at(1)), error);
    assert.equal(s.at(0).result(), 1);
  });
});

describe('an item past the end of an open-ended stream', () => {
  test('fails with IndexError alone: wait() resolves, its dependents are cancelled, the others run', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const f = feed<string>('short');
    const s = Q.submit(f.fn);
    const onLast = Q.submit((v: string) => `${v}!`, s.at(1));
    const past = s.at(2);
    const onPast = Q.submit((v: string) => `${v}?`, past);
    const onPastToo = Q.submit((v: string) => v, onPast);
    const onAll = Q.submit((xs: string[]) => xs.join(''), s);
    const ended: string[] = [];
    sch.on('task:end', (e) => ended.push(`${e.name}:${e.status}`));
    sch.start();
    f.push('p');
    f.push('q');
    assert.equal(await onLast, 'q!');
    await ticks();
    assert.equal(past.status, 'waiting', 'the stream may still grow');
    assert.equal(onPast.status, 'waiting');
    f.end();
    await sch.wait(); // resolves: an item past the end is no task failure
    assert.equal(s.status, 'done');
    assert.equal(s.length, 2);
    assert.equal(onAll.result(), 'pq');
    assert.equal(past.status, 'failed');
    const error = errorOf(past);
    assert.ok(error instanceof IndexError);
    assert.equal(error.index, 2);
    assert.match(error.message, /short/);
    assertBlames(onPast, past, error);
    assertBlames(onPastToo, past, error);
    assert.equal(sch.stats().total.failed, 0, 'no task failed');
    assert.equal(sch.stats().total.cancelled, 2);
    assert.ok(!ended.some((e) => e.endsWith(':failed')), 'no task:end says failed');
  });

  test('is no task failure for failFast either: the scheduler goes on', async () => {
    const sch = new Scheduler({ failFast: true });
    const Q = new Queue(sch, { concurrency: 1 });
    const s = Q.submit(function* () {
      yield 1;
    });
    const onPast = Q.submit((v: number) => v, s.at(1));
    const onFirst = Q.submit((v: number) => v + 1, s.at(0));
    const older = Q.submit(() => 'still runs');
    const newest = Q.submit((xs: number[]) => xs.length, s);
    sch.start();
    await sch.wait();
    assert.equal(onPast.status, 'cancelled');
    assert.equal(onFirst.result(), 2);
    assert.equal(older.result(), 'still runs');
    assert.equal(newest.result(), 1);
  });

  test('a task submitted later on an item past the end is cancelled at once', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const s = Q.submit(function* () {
      yield 1;
    });
    sch.start();
    await sch.wait();
    let ran = false;
    const late = Q.submit((v: number) => {
      ran = true;
      return v;
    }, s.at(5));
    await sch.wait();
    assert.equal(ran, false);
    assert.equal(late.status, 'cancelled');
    assert.ok(errorOf(late) instanceof DependencyError);
    assert.ok((errorOf(late) as DependencyError).cause instanceof IndexError);
  });
});

describe('a generator cancelled by a failed dependency', () => {
  test('its items are cancelled, and so are their dependents, blaming the root failure', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const root = new Error('root cause');
    const up = Q.options({ name: 'up' }).submit(async (): Promise<number> => {
      throw root;
    });
    let ran = false;
    const s = Q.submit(function* (n: number) {
      ran = true;
      yield n;
    }, up);
    const item = s.at(0);
    const d = Q.submit((v: number) => v, item);
    const independent = Q.submit(() => 'fine');
    sch.start();
    const failure = await failureOf(sch);
    assert.deepEqual(failure.errors, [root], 'only the root failure is reported');
    assert.equal(ran, false);
    assertBlames(s, up, root);
    assertBlames(item, up, root);
    assertBlames(d, up, root);
    assertBlames(s.at(3), up, root);
    assert.equal(independent.result(), 'fine');
  });
});
