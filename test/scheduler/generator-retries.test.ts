/**
 * A retried generator starts over; the items its earlier attempts delivered stay delivered
 * (their dependents may have run) and the new attempt's first items are skipped up to that
 * count. A retry that yields fewer items than were delivered fails with StreamReplayError.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  currentTask,
  Queue,
  Scheduler,
  StreamReplayError,
  type TaskEndEvent,
} from '../../src/index.js';
import { failureOf } from '../helpers/failure.js';

describe('retries of generator tasks', () => {
  test('a generator failing after 3 items, retried, delivers each item once and in order', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const yielded: [number, number][] = [];
    const s = Q.options({ retries: 1 }).submit(async function* (n: number) {
      const attempt = currentTask()?.attempt ?? -1;
      for (let i = 0; i < n; i++) {
        if (attempt === 0 && i === 3) throw new Error('sensor dropped');
        yielded.push([attempt, i]);
        yield i * 10;
      }
    }, 5);
    const used: number[] = [];
    const dependents = [0, 1, 2, 3, 4].map((i) =>
      Q.submit((v: number) => {
        used.push(v);
        return v;
      }, s.at(i)),
    );
    const streamed: number[] = [];
    const iterated = (async () => {
      for await (const v of s) streamed.push(v);
    })();
    sch.start();
    await sch.wait();
    await iterated;
    assert.deepEqual(await s, [0, 10, 20, 30, 40]);
    assert.deepEqual(streamed, [0, 10, 20, 30, 40], 'no item twice in the stream');
    assert.deepEqual(
      used.toSorted((a, b) => a - b),
      [0, 10, 20, 30, 40],
      'each dependent ran once',
    );
    assert.deepEqual(
      dependents.map((f) => f.result()),
      [0, 10, 20, 30, 40],
    );
    assert.deepEqual(
      yielded.filter(([attempt]) => attempt === 1).map(([, i]) => i),
      [0, 1, 2, 3, 4],
      'the retry started over',
    );
    assert.equal(s.length, 5);
  });

  test('dependents of items delivered before the failure run before the retry ends', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'gen' });
    const W = new Queue(sch, { concurrency: 1, name: 'use' });
    const order: string[] = [];
    let gate: (() => void) | undefined;
    const s = Q.options({ retries: 1 }).submit(async function* () {
      const attempt = currentTask()?.attempt ?? -1;
      yield 'a';
      if (attempt === 0) {
        await new Promise<void>((resolve) => {
          gate = resolve;
        });
        throw new Error('once');
      }
      order.push('retry yields b');
      yield 'b';
    });
    W.submit((v: string) => {
      order.push(`used ${v}`);
      gate?.();
    }, s.at(0));
    sch.start();
    await sch.wait();
    assert.deepEqual(order, ['used a', 'retry yields b']);
    assert.deepEqual(await s, ['a', 'b']);
  });

  test('a retry yielding fewer items than were delivered fails with StreamReplayError', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const s = Q.options({ name: 'shrinking', retries: 1 }).submit(function* () {
      const attempt = currentTask()?.attempt ?? -1;
      if (attempt === 0) {
        yield 1;
        yield 2;
        yield 3;
        throw new Error('first attempt');
      }
      yield 1;
    });
    const first = s.at(0);
    const fourth = s.at(3);
    const ends: TaskEndEvent[] = [];
    sch.on('task:end', (e) => ends.push(e));
    sch.start();
    const failure = await failureOf(sch);
    const error = failure.errors[0];
    assert.ok(error instanceof StreamReplayError, String(error));
    assert.equal(error.delivered, 3);
    assert.equal(error.yielded, 1);
    assert.match(error.message, /shrinking/);
    assert.match(error.message, /deterministic|retries: 0/);
    assert.equal(first.result(), 1, 'delivered items stay done');
    assert.equal(fourth.status, 'failed');
    assert.equal(s.status, 'failed');
  });

  test('an attempt that ran past its timeout adds no item after the retry began', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const s = Q.options({ retries: 1, timeout: 100 }).submit(async function* () {
      const attempt = currentTask()?.attempt ?? -1;
      if (attempt === 0) {
        yield 'slow 0';
        await new Promise((resolve) => setTimeout(resolve, 150)); // ignores its abort signal
        yield 'stale 1';
        yield 'stale 2';
        return;
      }
      yield 'fast 0'; // the retry starts at 100 ms and runs until 180 ms, across the stale yields
      await new Promise((resolve) => setTimeout(resolve, 80));
      yield 'fast 1';
    });
    sch.start();
    await sch.wait();
    assert.deepEqual(await s, ['slow 0', 'fast 1']);
  });
});
