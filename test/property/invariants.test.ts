import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DependencyError,
  type Future,
  type FutureStream,
  IndexError,
  Queue,
  Scheduler,
  TaskFailedError,
} from '../../src/index.js';
import {
  type Dep,
  depsOn,
  parentOffsets,
  parentsFrom,
  settle,
  streamDagArbitrary,
  type TaskSpec,
  type Tracked,
  track,
} from './reference-model.js';

/**
 * Invariants of the scheduler on random graphs over several queues, with tasks that end, or
 * throw, in an order fast-check chooses: slots, dependencies, failures and their cancelled
 * dependents, `wait()`, and stop/resume. Some tasks are generators whose items (`stream.at(i)`)
 * or whole streams are dependencies of later tasks; a generator yields one item per step the
 * test lets it take, so dependents of its items run while it goes on. The expected outcome of
 * every task and item comes from a plain sequential evaluation of the same graph.
 */

/**
 * `specs[i]`: task i (a generator or not) and its dependencies, in argument order, all among
 * tasks < i and their items; `concurrency[q]`: the slots of queue q; task i runs on queue
 * `queueOf[i] % queues` (missing: 0) and throws if `fails[i]` (a generator, after its items).
 */
interface Scenario {
  specs: TaskSpec[];
  concurrency: number[];
  queueOf: number[];
  fails: boolean[];
}

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  specs: streamDagArbitrary(120),
  concurrency: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 3 }),
  queueOf: fc.array(fc.nat(), { maxLength: 120, size: 'max' }),
  fails: fc
    .array(fc.integer({ min: 0, max: 9 }), { maxLength: 120, size: 'max' })
    .map((draws) => draws.map((draw) => draw === 0)),
});

/** Which running task ends next: an index into the running tasks, oldest first. */
const picksArbitrary = fc.array(fc.nat(), { maxLength: 120, size: 'max' });

/** Parents of tasks submitted once the graph has run (see `checkLateSubmissions`). */
const lateArbitrary = fc.array(
  fc.record({
    offsets: parentOffsets(),
    picks: fc.array(fc.nat(), { minLength: 4, maxLength: 4 }),
  }),
  { maxLength: 5 },
);

const MODULUS = 1_000_003;

/** A task's value: depends on its id and on each argument in its place. */
function taskValue(id: number, args: readonly number[]): number {
  return args.reduce((acc, arg, k) => (acc * 31 + arg * (k + 1)) % MODULUS, id + 1);
}

/** Item k of generator `id`: depends on the generator's arguments and on k. */
function itemValue(id: number, args: readonly number[], k: number): number {
  return (taskValue(id, args) * 7 + k * 13) % MODULUS;
}

/** An argument as one number: a whole stream (the array of its items) is folded. */
function asNumber(arg: number | readonly number[]): number {
  if (typeof arg === 'number') return arg;
  return arg.reduce((acc, item) => (acc * 131 + item) % MODULUS, arg.length + 17);
}

/** A task's expected end; a generator's `items` are those it yields (before it throws, if). */
type Expected =
  | { status: 'done'; value: number | number[]; items?: number[] }
  | { status: 'failed'; items?: number[] }
  | { status: 'cancelled' };

/** The value a dependency stands for, or undefined if it will not be done. */
function depValue(results: readonly Expected[], dep: Dep): number | undefined {
  if (typeof dep === 'number') {
    const result = results[dep];
    if (result?.status !== 'done') return undefined;
    return asNumber(result.value);
  }
  const result = results[dep.gen];
  if (result === undefined || result.status === 'cancelled') return undefined;
  return result.items?.[dep.index];
}

/** The plain sequential evaluation of a scenario, in submission order. */
function evaluate({ specs, fails }: Scenario): Expected[] {
  const results: Expected[] = [];
  specs.forEach((spec, id) => {
    const args: number[] = [];
    for (const dep of spec.deps) {
      const value = depValue(results, dep);
      if (value !== undefined) args.push(value);
    }
    if (args.length < spec.deps.length) {
      results.push({ status: 'cancelled' });
    } else if (spec.generator) {
      const items = Array.from({ length: spec.items }, (_, k) => itemValue(id, args, k));
      results.push(
        fails[id] === true ? { status: 'failed', items } : { status: 'done', value: items, items },
      );
    } else if (fails[id] === true) {
      results.push({ status: 'failed' });
    } else {
      results.push({ status: 'done', value: taskValue(id, args) });
    }
  });
  return results;
}

/** What `future.result()` throws (undefined if it returns). */
function errorOf(future: Future<unknown> | undefined): unknown {
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
  readonly futures: Future<unknown>[] = [];
  readonly queues: Queue[];
  /** The error task i throws, made up front so identity can be checked. */
  readonly errors: Error[];
  readonly startCount: number[];
  /**
   * When tasks threw, and when generators ended (their items past the end failed then), in
   * order: the times of the failures that cancel tasks (see `rootsOf`).
   */
  readonly timeline: string[] = [];
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
    const { specs, concurrency, queueOf, fails } = scenario;
    this.errors = specs.map((_, id) => new Error(`t${id} throws`));
    this.startCount = specs.map(() => 0);
    this.#runningByQueue = concurrency.map(() => 0);
    this.queues = concurrency.map((c, q) => new Queue(this.sch, { concurrency: c, name: `q${q}` }));
    const queues = this.queues;
    specs.forEach((spec, id) => {
      const q = (queueOf[id] ?? 0) % queues.length;
      const started = (): void => this.#started(id, q);
      const ended = (): void => {
        this.#runningByQueue[q] = (this.#runningByQueue[q] ?? 0) - 1;
      };
      const step = (): Promise<void> => new Promise<void>((open) => this.#gates.set(id, open));
      const fail = (): Error => {
        this.timeline.push(`t${id}`);
        return this.errors[id] as Error;
      };
      const endStream = (): void => {
        this.timeline.push(`t${id} end`);
      };
      const body = async (...args: (number | number[])[]): Promise<number> => {
        started();
        try {
          await step();
          if (fails[id] === true) throw fail();
          return taskValue(id, args.map(asNumber));
        } finally {
          ended();
        }
      };
      // One item per step the test lets it take, then it ends (or throws) at the next step.
      const generator = async function* (...args: (number | number[])[]) {
        started();
        try {
          const values = args.map(asNumber);
          for (let k = 0; ; k++) {
            await step();
            if (k < spec.items) {
              yield itemValue(id, values, k);
              continue;
            }
            if (fails[id] === true) throw fail();
            endStream();
            return;
          }
        } finally {
          ended();
        }
      };
      const queue = (queues[q] as Queue).options({ name: `t${id}` });
      const deps = spec.deps.map((dep) => this.dependency(dep));
      this.futures.push(
        spec.generator ? queue.submit(generator, ...deps) : queue.submit(body, ...deps),
      );
    });
  }

  /** The future a dependency stands for: a task's, or an item's (`stream.at(i)`). */
  dependency(dep: Dep): Future<number> {
    if (typeof dep === 'number') return this.futures[dep] as Future<number>;
    return this.stream(dep.gen).at(dep.index);
  }

  stream(id: number): FutureStream<number> {
    return this.futures[id] as FutureStream<number>;
  }

  #started(id: number, q: number): void {
    this.startCount[id] = (this.startCount[id] ?? 0) + 1;
    for (const dep of this.scenario.specs[id]?.deps ?? []) {
      const status = this.dependency(dep).status;
      if (status !== 'done')
        this.problems.push(`t${id} started while its dependency ${label(dep)} was ${status}`);
      if (typeof dep !== 'number' && this.futures[dep.gen]?.status === 'running') {
        coverage.whileGeneratorRuns++;
      }
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

/** `t3` for a task, `t3[1]` for an item. */
function label(dep: Dep): string {
  return typeof dep === 'number' ? `t${dep}` : `t${dep.gen}[${dep.index}]`;
}

/**
 * A failure that cancels the tasks depending on it: a task that threw (`t3`), or an item past
 * the end of a generator that ended well (`t3[1]`, failed with IndexError when t3 ended).
 */
type Root = { kind: 'task'; id: number } | { kind: 'item'; gen: number; index: number };

/** The root failures that keep `dep` from being done, by the sequential evaluation. */
function rootsOf(run: Run, expected: readonly Expected[], dep: Dep): Root[] {
  const roots: Root[] = [];
  const seen = new Set<string>();
  const stack: Dep[] = [dep];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(label(next))) continue;
    seen.add(label(next));
    const id = typeof next === 'number' ? next : next.gen;
    const want = expected[id];
    if (want?.status === 'cancelled') {
      stack.push(...(run.scenario.specs[id]?.deps ?? []));
    } else if (typeof next === 'number') {
      if (want?.status === 'failed') roots.push({ kind: 'task', id });
    } else if (next.index >= (run.scenario.specs[id]?.items ?? 0)) {
      // An item it never yields: it takes the generator's error, or is past a done stream's end.
      roots.push(want?.status === 'failed' ? { kind: 'task', id } : { ...next, kind: 'item' });
    }
  }
  return roots;
}

/** When a root failure happened: its place in the run's timeline. */
function timeOf(run: Run, root: Root): number {
  const at = run.timeline.indexOf(root.kind === 'task' ? `t${root.id}` : `t${root.gen} end`);
  assert.ok(at >= 0, `root ${JSON.stringify(root)} never happened`);
  return at;
}

/** The roots that happened first among `roots` (several if they happened at once). */
function firstRoots(run: Run, roots: readonly Root[]): Root[] {
  const first = Math.min(...roots.map((root) => timeOf(run, root)));
  return roots.filter((root) => timeOf(run, root) === first);
}

/** Is `error` a DependencyError naming root failure `root` and carrying its error? */
function blames(run: Run, error: unknown, root: Root): boolean {
  if (!(error instanceof DependencyError)) return false;
  if (root.kind === 'task') {
    return error.cause === run.errors[root.id] && error.failedTask.id === run.futures[root.id]?.id;
  }
  // An item past the end: the cancelled task names the item (its generator's id) and carries
  // the item's own IndexError.
  const itemError = errorOf(run.stream(root.gen).at(root.index));
  return (
    itemError instanceof IndexError &&
    error.cause === itemError &&
    error.failedTask.id === run.futures[root.gen]?.id
  );
}

/**
 * Tasks submitted after the graph ran, on random earlier futures and items: one on a failed or
 * cancelled future (or an item past the end) is cancelled and blames a root failure among its
 * ancestors; the others run.
 */
async function checkLateSubmissions(
  run: Run,
  late: readonly { offsets: number[]; picks: number[] }[],
): Promise<void> {
  const expected = evaluate(run.scenario);
  for (const { offsets, picks } of late) {
    const parents = parentsFrom(offsets, run.futures.length);
    const deps = depsOn(parents, picks, run.scenario.specs);
    const futures = deps.map((dep) => run.dependency(dep));
    const future = (run.queues[0] as Queue).submit((..._deps: unknown[]) => 0, ...futures);
    await settle(run.dispatching);
    if (deps.every((dep) => depValue(expected, dep) !== undefined)) {
      assert.equal(future.status, 'done', 'a late task on done futures runs');
    } else {
      assert.equal(future.status, 'cancelled', 'a late task on a failed future is cancelled');
      const error = errorOf(future);
      const roots = deps.flatMap((dep) => rootsOf(run, expected, dep));
      assert.ok(
        roots.some((root) => blames(run, error, root)),
        `it blames a root failure: ${String(error)}`,
      );
    }
  }
}

/**
 * The items of generator `id`, from 0 to one past its last: those it yielded are done with their
 * values (even if it threw afterwards); the others failed with its error, or with IndexError
 * past the end of a stream that ended well, or were cancelled with it.
 */
function checkItems(run: Run, expected: readonly Expected[], id: number): void {
  const want = expected[id];
  const count = run.scenario.specs[id]?.items ?? 0;
  for (let index = 0; index <= count; index++) {
    const item = run.stream(id).at(index);
    const name = `t${id}[${index}]`;
    if (want?.status === 'cancelled') {
      assert.equal(item.status, 'cancelled', `${name}'s status`);
      const error = errorOf(item);
      const generatorError = errorOf(run.futures[id]) as DependencyError;
      assert.ok(error instanceof DependencyError, `${name}'s error: ${String(error)}`);
      assert.equal(error.cause, generatorError.cause, `${name} has its generator's cause`);
      assert.equal(error.failedTask.id, generatorError.failedTask.id, `${name} blames its root`);
    } else if (index < count) {
      assert.equal(item.status, 'done', `${name}'s status`);
      assert.equal(item.result(), want?.items?.[index], `${name}'s value`);
    } else {
      assert.equal(item.status, 'failed', `${name}'s status`);
      const error = errorOf(item);
      if (want?.status === 'failed') assert.equal(error, run.errors[id], `${name}'s error`);
      else assert.ok(error instanceof IndexError, `${name}'s error: ${String(error)}`);
    }
  }
}

/** Everything that must hold once nothing runs any more. */
async function checkFinal(run: Run, waited: Tracked): Promise<void> {
  assert.deepEqual(run.problems, []);
  const expected = evaluate(run.scenario);
  expected.forEach((want, id) => {
    const future = run.futures[id] as Future<unknown>;
    assert.equal(future.status, want.status, `t${id}'s status`);
    assert.equal(run.startCount[id], want.status === 'cancelled' ? 0 : 1, `t${id}'s start count`);
    if (want.status === 'done') assert.deepEqual(future.result(), want.value, `t${id}'s value`);
    if (want.status === 'failed') assert.equal(errorOf(future), run.errors[id], `t${id}'s error`);
    if (want.status === 'cancelled') {
      // Its root is the failure above it that happened first: that one cancelled it.
      const roots = firstRoots(run, rootsOf(run, expected, id));
      assert.ok(roots.length > 0, `t${id} is cancelled without a failed ancestor`);
      const error = errorOf(future);
      assert.ok(
        roots.some((root) => blames(run, error, root)),
        `t${id} blames ${JSON.stringify(roots)}: ${String(error)}`,
      );
    }
    if (run.scenario.specs[id]?.generator) checkItems(run, expected, id);
  });
  // Awaiting a future gives what result() gives.
  const settled = await Promise.allSettled(run.futures);
  settled.forEach((outcome, id) => {
    const future = run.futures[id];
    if (outcome.status === 'fulfilled') assert.equal(outcome.value, future?.result());
    else assert.equal(outcome.reason, errorOf(future));
  });
  // Items past the end are no task failures: only the tasks that threw are reported.
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

/** Checks that the random graphs really exercise progressive output. */
const coverage = { whileGeneratorRuns: 0 };

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};

describe('scheduler invariants on random graphs over several queues', () => {
  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => {
    process.off('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, [], 'no unhandled rejection');
    assert.ok(coverage.whileGeneratorRuns > 0, 'some tasks started on items while generators ran');
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
