/**
 * Promise interleavings chosen by `fc.scheduler()`: real async tasks on the inline executor
 * (plain async functions and async generators) whose every await resolves in an order
 * fast-check picks, over random graphs on two queues, with random failures. The scheduler
 * must keep its slots, start nothing before its arguments exist, run nothing twice, end every
 * task exactly once as a sequential evaluation says, and settle `wait()` with exactly the
 * failed tasks' errors.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  DependencyError,
  type Future,
  type FutureStream,
  Queue,
  Scheduler,
  TaskFailedError,
} from '../../src/index.js';
import { dagArbitrary } from '../property/reference-model.js';

interface Scenario {
  dag: number[][];
  concurrency: [number, number];
  queueOf: number[];
  /** 0: plain, 1: fails after its await, 2: a generator of two items (depending on item 1). */
  kinds: number[];
}

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  dag: dagArbitrary(25, 3),
  concurrency: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  queueOf: fc.array(fc.nat(1), { maxLength: 25 }),
  kinds: fc.array(
    fc.oneof({ arbitrary: fc.constant(0), weight: 6 }, fc.constant(1), fc.constant(2)),
    {
      maxLength: 25,
    },
  ),
});

type Expected = { status: 'done'; value: number } | { status: 'failed' } | { status: 'cancelled' };

/** Task i's value from its arguments (a generator's item 1 stands for it). */
function taskValue(i: number, args: readonly number[]): number {
  return args.reduce((acc, a) => (acc * 7 + a) % 10_007, i + 1);
}

function evaluate({ dag, kinds }: Scenario): Expected[] {
  const out: Expected[] = [];
  dag.forEach((parents, i) => {
    const args: number[] = [];
    for (const p of parents) {
      const r = out[p];
      if (r?.status === 'done') args.push(r.value);
    }
    if (args.length < parents.length) out.push({ status: 'cancelled' });
    else if (kinds[i] === 1) out.push({ status: 'failed' });
    else out.push({ status: 'done', value: taskValue(i, args) });
  });
  return out;
}

describe('promise interleavings chosen by fc.scheduler()', () => {
  test('slots, dependencies, single runs, outcomes and wait() hold in every interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary, fc.scheduler(), async (scenario, s) => {
        const sch = new Scheduler();
        const queues = scenario.concurrency.map(
          (concurrency, q) => new Queue(sch, { concurrency, name: `q${q}` }),
        );
        const running = [0, 0];
        const runs = new Map<number, number>();
        const thrown = new Map<number, Error>();
        const problems: string[] = [];
        const expected = evaluate(scenario);
        const futures: Future<number>[] = [];
        scenario.dag.forEach((parents, i) => {
          const q = (scenario.queueOf[i] ?? 0) % 2;
          const kind = scenario.kinds[i] ?? 0;
          const enter = (args: number[]): void => {
            runs.set(i, (runs.get(i) ?? 0) + 1);
            if (++(running[q] as number) > (scenario.concurrency[q] as number))
              problems.push(`q${q} over its concurrency at t${i}`);
            const want = parents.map((p) => (expected[p] as { value: number }).value);
            if (JSON.stringify(args) !== JSON.stringify(want)) problems.push(`t${i} args ${args}`);
          };
          const leave = (): void => {
            running[q] = (running[q] as number) - 1;
          };
          const queue = queues[q] as Queue;
          const deps = parents.map((p) => futures[p] as Future<number>);
          if (kind === 2) {
            const stream: FutureStream<number> = queue.submit(
              async function* (...args: number[]) {
                enter(args);
                try {
                  yield await s.schedule(Promise.resolve(0), `t${i} item 0`);
                  yield await s.schedule(Promise.resolve(taskValue(i, args)), `t${i} item 1`);
                } finally {
                  leave();
                }
              },
              ...deps,
            );
            futures.push(stream.at(1));
          } else {
            futures.push(
              queue.submit(
                async (...args: number[]) => {
                  enter(args);
                  try {
                    const value = await s.schedule(Promise.resolve(taskValue(i, args)), `t${i}`);
                    if (kind === 1) {
                      const error = new Error(`t${i} fails`);
                      thrown.set(i, error);
                      throw error;
                    }
                    return value;
                  } finally {
                    leave();
                  }
                },
                ...deps,
              ),
            );
          }
        });
        sch.start();
        let waitError: unknown;
        await s.waitFor(
          sch.wait().then(
            () => undefined,
            (error: unknown) => {
              waitError = error;
            },
          ),
        );
        assert.deepEqual(problems, []);
        for (const [i, n] of runs) assert.equal(n, 1, `t${i} ran once`);
        futures.forEach((future, i) => {
          const want = expected[i] as Expected;
          assert.equal(
            future.status,
            want.status === 'cancelled' ? 'cancelled' : want.status,
            `t${i}`,
          );
          if (want.status === 'done') assert.equal(future.result(), want.value);
          if (want.status === 'cancelled') assert.throws(() => future.result(), DependencyError);
          if (want.status !== 'cancelled') assert.ok(runs.has(i), `t${i} ran`);
          else assert.ok(!runs.has(i), `t${i} never ran`);
        });
        if (thrown.size === 0) assert.equal(waitError, undefined);
        else {
          assert.ok(waitError instanceof TaskFailedError, String(waitError));
          assert.deepEqual(new Set(waitError.errors), new Set(thrown.values()));
        }
      }),
      { numRuns: 150, includeErrorInReport: true },
    );
  });
});
