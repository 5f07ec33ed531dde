import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DependencyError,
  type Future,
  Queue,
  Scheduler,
  TaskFailedError,
} from '../../src/index.js';
import {
  dagArbitrary,
  parentOffsets,
  parentsFrom,
  settle,
  type Tracked,
  track,
} from './reference-model.js';

/**
 * Invariants of the scheduler on random graphs over several queues, with tasks that end, or
 * throw, in an order fast-check chooses: slots, dependencies, failures and their cancelled
 * dependents, `wait()`, and stop/resume. The expected outcome of every task comes from a plain
 * sequential evaluation of the same graph.
 */

/**
 * `dag[i]`: task i's dependencies, in argument order, all among tasks < i; `concurrency[q]`:
 * the slots of queue q; task i runs on queue `queueOf[i] % queues` (missing: 0) and throws if
 * `fails[i]`.
 */
interface Scenario {
  dag: number[][];
  concurrency: number[];
  queueOf: number[];
  fails: boolean[];
}

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  dag: dagArbitrary(120),
  concurrency: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 3 }),
  queueOf: fc.array(fc.nat(), { maxLength: 120, size: 'max' }),
  fails: fc
    .array(fc.integer({ min: 0, max: 9 }), { maxLength: 120, size: 'max' })
    .map((draws) => draws.map((draw) => draw === 0)),
});

/** Which running task ends next: an index into the running tasks, oldest first. */
const picksArbitrary = fc.array(fc.nat(), { maxLength: 120, size: 'max' });

/** Parents of tasks submitted once the graph has run (see `checkLateSubmissions`). */
const lateArbitrary = fc.array(parentOffsets(), { maxLength: 5 });

/** A task's value: depends on its id and on each argument in its place. */
function taskValue(id: number, args: readonly number[]): number {
  return args.reduce((acc, arg, k) => (acc * 31 + arg * (k + 1)) % 1_000_003, id + 1);
}

type Expected = { status: 'done'; value: number } | { status: 'failed' | 'cancelled' };

/** The plain sequential evaluation of a scenario, in submission order. */
function evaluate({ dag, fails }: Scenario): Expected[] {
  const results: Expected[] = [];
  dag.forEach((parents, id) => {
    const args: number[] = [];
    for (const parent of parents) {
      const result = results[parent];
      if (result?.status === 'done') args.push(result.value);
    }
    if (args.length < parents.length) results.push({ status: 'cancelled' });
    else if (fails[id] === true) results.push({ status: 'failed' });
    else results.push({ status: 'done', value: taskValue(id, args) });
  });
  return results;
}

/** What `future.result()` throws (undefined if it returns). */
function errorOf(future: Future<number> | undefined): unknown {
  try {
    future?.result();
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * A scenario submitted to a real scheduler (before `start()`). Each task checks the invariants
 * it can see when it starts, then waits for the test to let it end.
 */
class Run {
  readonly sch = new Scheduler();
  readonly futures: Future<number>[] = [];
  readonly queues: Queue[];
  /** The error task i throws, made up front so identity can be checked. */
  readonly errors: Error[];
  readonly startCount: number[];
  /** Failed task ids in the order they threw. */
  readonly failOrder: number[] = [];
  readonly problems: string[] = [];
  readonly #runningByQueue: number[];
  readonly #gates = new Map<number, () => void>();

  /** True while a queue has both a free slot and a ready task: a dispatch pass is unfinished. */
  readonly dispatching = (): boolean =>
    this.sch.running &&
    this.queues.some((queue) => {
      const counts = this.sch.stats().queues[queue.name];
      return counts !== undefined && counts.ready > 0 && counts.running < queue.concurrency;
    });

  constructor(readonly scenario: Scenario) {
    const { dag, concurrency, queueOf, fails } = scenario;
    this.errors = dag.map((_, id) => new Error(`t${id} throws`));
    this.startCount = dag.map(() => 0);
    this.#runningByQueue = concurrency.map(() => 0);
    this.queues = concurrency.map((c, q) => new Queue(this.sch, { concurrency: c, name: `q${q}` }));
    const queues = this.queues;
    dag.forEach((parents, id) => {
      const q = (queueOf[id] ?? 0) % queues.length;
      const body = async (...args: number[]): Promise<number> => {
        this.#started(id, q);
        try {
          await new Promise<void>((open) => this.#gates.set(id, open));
          if (fails[id] === true) {
            this.failOrder.push(id);
            throw this.errors[id];
          }
          return taskValue(id, args);
        } finally {
          this.#runningByQueue[q] = (this.#runningByQueue[q] ?? 0) - 1;
        }
      };
      const queue = queues[q] as Queue;
      const deps = parents.map((parent) => this.futures[parent] as Future<number>);
      this.futures.push(queue.options({ name: `t${id}` }).submit(body, ...deps));
    });
  }

  #started(id: number, q: number): void {
    this.startCount[id] = (this.startCount[id] ?? 0) + 1;
    for (const parent of this.scenario.dag[id] ?? []) {
      const status = this.futures[parent]?.status;
      if (status !== 'done')
        this.problems.push(`t${id} started while its dependency t${parent} was ${status}`);
    }
    const running = (this.#runningByQueue[q] ?? 0) + 1;
    this.#runningByQueue[q] = running;
    const slots = this.scenario.concurrency[q] ?? 0;
    if (running > slots)
      this.problems.push(`t${id} started as the ${running}th task on q${q} of ${slots} slots`);
  }

  /** The ids of the tasks started and not yet let end, oldest first. */
  running(): number[] {
    return [...this.#gates.keys()].sort((a, b) => a - b);
  }

  /** Lets one running task end (or throw), as `pick` chooses; false if none runs. */
  async endOne(pick: number): Promise<boolean> {
    const running = this.running();
    const id = running[pick % Math.max(running.length, 1)];
    if (id === undefined) return false;
    const open = this.#gates.get(id);
    this.#gates.delete(id);
    open?.();
    await settle(this.dispatching);
    return true;
  }

  /** Lets running tasks end until none runs. */
  async drain(picks: readonly number[]): Promise<void> {
    for (let step = 0; await this.endOne(picks[step] ?? 0); step++);
  }

  get totalStarts(): number {
    return this.startCount.reduce((a, b) => a + b, 0);
  }

  unsettled(): number {
    return this.futures.filter((f) => !['done', 'failed', 'cancelled'].includes(f.status)).length;
  }
}

/** The failed tasks among `ids` and their ancestors, in the order they threw. */
function failuresAbove(run: Run, ids: readonly number[]): number[] {
  const seen = new Set<number>();
  const stack = [...ids];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (!seen.has(next)) stack.push(...(run.scenario.dag[next] ?? []));
    seen.add(next);
  }
  return run.failOrder.filter((failed) => seen.has(failed));
}

/** Is `error` a DependencyError naming failed task `root` and carrying its error? */
function blames(run: Run, error: unknown, root: number): boolean {
  return (
    error instanceof DependencyError &&
    error.cause === run.errors[root] &&
    error.failedTask.id === run.futures[root]?.id
  );
}

/**
 * Tasks submitted after the graph ran, on random earlier futures: one on a failed or cancelled
 * future is cancelled and blames a root failure among its ancestors; the others run.
 */
async function checkLateSubmissions(run: Run, late: readonly number[][]): Promise<void> {
  const expected = evaluate(run.scenario);
  for (const offsets of late) {
    const parents = parentsFrom(offsets, run.futures.length);
    const deps = parents.map((parent) => run.futures[parent] as Future<number>);
    const future = (run.queues[0] as Queue).submit((..._deps: number[]) => 0, ...deps);
    await settle(run.dispatching);
    if (parents.every((parent) => expected[parent]?.status === 'done')) {
      assert.equal(future.status, 'done', 'a late task on done futures runs');
    } else {
      assert.equal(future.status, 'cancelled', 'a late task on a failed future is cancelled');
      const error = errorOf(future);
      const roots = failuresAbove(run, parents);
      assert.ok(
        roots.some((root) => blames(run, error, root)),
        'it blames a root failure',
      );
    }
  }
}

/** Everything that must hold once nothing runs any more. */
async function checkFinal(run: Run, waited: Tracked): Promise<void> {
  assert.deepEqual(run.problems, []);
  const expected = evaluate(run.scenario);
  expected.forEach((want, id) => {
    const future = run.futures[id] as Future<number>;
    assert.equal(future.status, want.status, `t${id}'s status`);
    assert.equal(run.startCount[id], want.status === 'cancelled' ? 0 : 1, `t${id}'s start count`);
    if (want.status === 'done') assert.equal(future.result(), want.value, `t${id}'s value`);
    if (want.status === 'failed') assert.equal(errorOf(future), run.errors[id], `t${id}'s error`);
    if (want.status === 'cancelled') {
      // Its root is the failure above it that threw first: that one cancelled it.
      const root = failuresAbove(run, run.scenario.dag[id] ?? [])[0];
      assert.ok(root !== undefined, `t${id} is cancelled without a failed ancestor`);
      assert.ok(blames(run, errorOf(future), root), `t${id} blames t${root}`);
    }
  });
  // Awaiting a future gives what result() gives.
  const settled = await Promise.allSettled(run.futures);
  settled.forEach((outcome, id) => {
    const future = run.futures[id];
    if (outcome.status === 'fulfilled') assert.equal(outcome.value, future?.result());
    else assert.equal(outcome.reason, errorOf(future));
  });
  const failedErrors = run.errors.filter((_, id) => expected[id]?.status === 'failed');
  if (failedErrors.length === 0) {
    assert.equal(waited.state, 'resolved');
  } else {
    assert.equal(waited.state, 'rejected');
    assert.ok(waited.error instanceof TaskFailedError);
    assert.equal(waited.error.errors.length, failedErrors.length);
    assert.deepEqual(new Set(waited.error.errors), new Set(failedErrors));
  }
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

describe('scheduler invariants on random graphs over several queues', () => {
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => {
    process.off('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
  });

  it('slots, dependencies, one run per task, failures and wait() hold in any completion order', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArbitrary,
        picksArbitrary,
        lateArbitrary,
        async (scenario, picks, late) => {
          const run = new Run(scenario);
          const waited = track(run.sch.wait());
          run.sch.start();
          await settle(run.dispatching);
          await run.drain(picks);
          assert.equal(run.unsettled(), 0, 'every task settled once nothing runs');
          await checkFinal(run, waited);
          await checkLateSubmissions(run, late);
          assert.deepEqual(unhandled, [], 'no unhandled rejection');
        },
      ),
      { numRuns: 150, includeErrorInReport: true },
    );
  });

  it('stop() and start() at random points never lose or re-run a task', async () => {
    const op = fc.oneof(
      { arbitrary: fc.record({ kind: fc.constant('end' as const), pick: fc.nat() }), weight: 4 },
      {
        arbitrary: fc.record({ kind: fc.constant('stop' as const), picks: picksArbitrary }),
        weight: 1,
      },
    );
    await fc.assert(
      fc.asyncProperty(
        scenarioArbitrary,
        fc.array(op, { maxLength: 120, size: 'max' }),
        picksArbitrary,
        async (scenario, ops, picks) => {
          const run = new Run(scenario);
          const waited = track(run.sch.wait());
          run.sch.start();
          await settle(run.dispatching);
          for (const step of ops) {
            if (step.kind === 'end') {
              await run.endOne(step.pick);
              continue;
            }
            const stopped = track(run.sch.stop());
            assert.equal(run.sch.running, false);
            await settle(run.dispatching);
            if (run.running().length > 0) assert.equal(stopped.state, 'pending', 'stop() waits');
            const startsBefore = run.totalStarts;
            // The tasks already running end while stopped; none may start meanwhile.
            await run.drain(step.picks);
            assert.equal(run.totalStarts, startsBefore, 'no start while stopped');
            assert.equal(stopped.state, 'resolved', 'stop() resolves once nothing runs');
            if (run.unsettled() > 0)
              assert.equal(waited.state, 'pending', 'wait() waits while stopped');
            run.sch.start();
            await settle(run.dispatching);
          }
          await run.drain(picks);
          assert.equal(run.unsettled(), 0, 'every task settled once nothing runs');
          await checkFinal(run, waited);
          assert.deepEqual(unhandled, [], 'no unhandled rejection');
        },
      ),
      { numRuns: 100, includeErrorInReport: true },
    );
  });
});
