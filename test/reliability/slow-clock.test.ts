/**
 * A dispatch pass gives the event loop back after an 8 ms time slice and goes on in a later
 * turn. Under CPU load that happens at any task; here a clock that jumps 3 ms at every read
 * makes it happen after nearly every start. Nothing may be lost or started twice, and each
 * step's invariants must hold once the scheduler had its turns (the fuzzer's settle() gives
 * turns while the model says a task is startable, so it fails only for a task never started).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { Queue, Scheduler } from '../../src/index.js';
import { fuzzProperty } from './fuzz/property.js';

/** Runs `body` with `performance.now()` jumping `step` ms at every read. */
async function withFastClock<T>(step: number, body: () => Promise<T>): Promise<T> {
  const real = performance.now;
  let skew = 0;
  performance.now = () => {
    skew += step;
    return real.call(performance) + skew;
  };
  try {
    return await body();
  } finally {
    performance.now = real;
  }
}

describe('dispatch passes cut into slices at every task', () => {
  test('a pass that outran its slice goes on in a later turn: all tasks start, each once', async () => {
    await withFastClock(3, async () => {
      const sch = new Scheduler();
      const Q = new Queue(sch, { concurrency: 50 });
      const runs = new Map<number, number>();
      // Counts event-loop turns, to see that the tasks really started over several of them.
      let turn = 0;
      let counting = true;
      const count = (): void => {
        turn++;
        if (counting) setImmediate(count);
      };
      setImmediate(count);
      const turns = new Set<number>();
      const futures = Array.from({ length: 200 }, (_, i) =>
        Q.submit(() => {
          runs.set(i, (runs.get(i) ?? 0) + 1);
          turns.add(turn);
          return i;
        }),
      );
      sch.start();
      await sch.wait();
      counting = false;
      assert.ok(turns.size > 10, `the pass was cut into slices (${turns.size} turns)`);
      assert.deepEqual(
        futures.map((f) => f.result()),
        futures.map((_, i) => i),
      );
      assert.ok([...runs.values()].every((n) => n === 1) && runs.size === 200);
    });
  });

  test('a synchronous generator sliced at every item: dependents run while it goes on', async () => {
    await withFastClock(3, async () => {
      const sch = new Scheduler();
      const gen = new Queue(sch, { concurrency: 1, name: 'gen' });
      const main = new Queue(sch, { concurrency: 4, name: 'main' });
      const events: string[] = [];
      function* count(n: number): Generator<number> {
        for (let i = 0; i < n; i++) {
          events.push(`yield ${i}`);
          yield i;
        }
        events.push('end');
      }
      const stream = gen.submit(count, 50);
      const dependents = Array.from({ length: 50 }, (_, i) =>
        main.submit((x: number) => {
          events.push(`dependent ${i}`);
          return x * 2;
        }, stream.at(i)),
      );
      sch.start();
      await sch.wait();
      assert.deepEqual(
        dependents.map((f) => f.result()),
        dependents.map((_, i) => i * 2),
      );
      // Each cut pass starts one task, the newest startable: dependent 0 keeps losing to the
      // dependent of the item just yielded and runs last (the rule's order, one start a turn).
      const end = events.indexOf('end');
      const early = events.slice(0, end).filter((e) => e.startsWith('dependent')).length;
      assert.ok(early >= 40, `${early} of 50 dependents ran while the generator went on`);
      assert.equal(events.filter((e) => e.startsWith('dependent')).length, 50, 'each ran once');
    });
  });

  test('the fuzzer finds every invariant kept with a clock that runs fast', async () => {
    await withFastClock(3, () =>
      fc.assert(fuzzProperty(40), { numRuns: 100, includeErrorInReport: true }),
    );
  });
});
