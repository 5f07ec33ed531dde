import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type Future,
  type FutureStream,
  Queue,
  Scheduler,
  TaskFailedError,
} from '../../src/index.js';
import {
  addSpec,
  type Dep,
  dagArbitrary,
  type ModelStatus,
  parentOffsets,
  parentsFrom,
  plainSpecs,
  type RawSpec,
  ReferenceModel,
  rawSpecArbitrary,
  settle,
  streamDagArbitrary,
  type TaskSpec,
  track,
} from './reference-model.js';

/**
 * The start order of the real scheduler against the reference model of API.md section 5.
 * Every property compares the whole sequence of starts, so a single task started out of turn
 * (or not started when it should be) fails it.
 */

function at<T>(items: readonly T[], index: number): T {
  const item = items[index];
  if (item === undefined) throw new RangeError(`no item at ${index}`);
  return item;
}

interface Ending {
  resolve: (value: number) => void;
  reject: (error: Error) => void;
}

/** What a running generator does next, as the test says. */
type Step = 'yield' | 'end' | 'throw';

/** What one step of a running task did (see `Driven.step`). */
type Stepped = 'yielded' | 'done' | 'failed';

/**
 * A real scheduler whose tasks record their start and, unless `sync`, end only when the test
 * calls `end()`: the test, not timing, decides the order in which tasks complete. A generator
 * task yields, ends or throws only when the test says, one step at a time.
 */
class Driven {
  readonly sch = new Scheduler();
  /** Task ids in the order their functions were called. */
  readonly starts: number[] = [];
  readonly #queues: Queue[];
  readonly #futures: Future<unknown>[] = [];
  readonly #specs: TaskSpec[] = [];
  readonly #endings = new Map<number, Ending>();
  /** The running generators, each waiting for its next step. */
  readonly #steps = new Map<number, (step: Step) => void>();
  readonly #yielded = new Map<number, number>();
  readonly #sync: boolean;

  /** True while a queue has both a free slot and a ready task: a dispatch pass is unfinished. */
  readonly dispatching = (): boolean =>
    this.sch.running &&
    this.#queues.some((queue) => {
      const counts = this.sch.stats().queues[queue.name];
      return counts !== undefined && counts.ready > 0 && counts.running < queue.concurrency;
    });

  constructor(concurrency: readonly number[], sync = false) {
    this.#queues = concurrency.map(
      (c, q) => new Queue(this.sch, { concurrency: c, name: `q${q}` }),
    );
    this.#sync = sync;
  }

  /**
   * Submits the next task: a generator if `spec.generator`. `nested` passes its dependencies
   * inside one array argument.
   */
  submit(spec: TaskSpec, queue = 0, nested = false): void {
    const id = this.#futures.length;
    this.#specs.push(spec);
    const args = spec.deps.map((dep) => this.#future(dep));
    const submitter = at(this.#queues, queue).options({ name: `t${id}` });
    if (spec.generator) {
      // The generator function itself is submitted: its arguments are not used.
      const generator = this.#sync ? this.#syncGenerator(id, spec.items) : this.#generator(id);
      const future = nested
        ? submitter.submit(generator, args)
        : submitter.submit(generator, ...args);
      this.#futures.push(future);
      return;
    }
    const body = (): number | Promise<number> => {
      this.starts.push(id);
      if (this.#sync) return id;
      return new Promise<number>((resolve, reject) => this.#endings.set(id, { resolve, reject }));
    };
    const future = nested
      ? submitter.submit((_deps: unknown[]) => body(), args)
      : submitter.submit((..._deps: unknown[]) => body(), ...args);
    this.#futures.push(future);
  }

  #future(dep: Dep): Future<unknown> {
    if (typeof dep === 'number') return at(this.#futures, dep);
    return (at(this.#futures, dep.gen) as FutureStream<unknown>).at(dep.index);
  }

  /** A generator that yields, ends or throws as the test says (see `step`). */
  #generator(id: number): (..._deps: unknown[]) => AsyncGenerator<number, void, undefined> {
    const starts = this.starts;
    const steps = this.#steps;
    return async function* () {
      starts.push(id);
      for (let k = 0; ; k++) {
        const step = await new Promise<Step>((resolve) => steps.set(id, resolve));
        if (step === 'end') return;
        if (step === 'throw') throw new Error(`t${id} failed`);
        yield k;
      }
    };
  }

  /** A synchronous generator that yields `items` items at once. */
  #syncGenerator(
    id: number,
    items: number,
  ): (..._deps: unknown[]) => Generator<number, void, undefined> {
    const starts = this.starts;
    return function* () {
      starts.push(id);
      for (let k = 0; k < items; k++) yield k;
    };
  }

  /**
   * One step of running task `id`, then lets the scheduler react: a generator yields its next
   * item while it has items to yield (its spec's count); else the task ends, with an error if
   * `failed`.
   */
  async step(id: number, failed = false): Promise<Stepped> {
    const next = this.#steps.get(id);
    if (next !== undefined) {
      this.#steps.delete(id);
      const yielded = this.#yielded.get(id) ?? 0;
      const spec = at(this.#specs, id);
      if (yielded < spec.items) {
        this.#yielded.set(id, yielded + 1);
        next('yield');
      } else {
        next(failed ? 'throw' : 'end');
      }
      await settle(this.dispatching);
      return yielded < spec.items ? 'yielded' : failed ? 'failed' : 'done';
    }
    await this.end(id, failed);
    return failed ? 'failed' : 'done';
  }

  /** Ends running task `id` (with an error if `failed`) and lets the scheduler react. */
  async end(id: number, failed = false): Promise<void> {
    const ending = this.#endings.get(id);
    if (ending === undefined) throw new Error(`t${id} is not running`);
    this.#endings.delete(id);
    if (failed) ending.reject(new Error(`t${id} failed`));
    else ending.resolve(id);
    await settle(this.dispatching);
  }

  /** The ids of the tasks whose functions were called and have not ended, oldest first. */
  running(): number[] {
    return [...this.#endings.keys(), ...this.#steps.keys()].sort((a, b) => a - b);
  }

  statuses(): ModelStatus[] {
    return this.#futures.map(({ status }) =>
      status === 'waiting' || status === 'ready' ? 'unstarted' : status,
    );
  }
}

/** A plain task on `deps`. */
function plain(deps: readonly number[]): TaskSpec {
  return { deps, generator: false, items: 0 };
}

/** Applies what one step of a real task did to the model. */
function applyStep(model: ReferenceModel, id: number, stepped: Stepped): void {
  if (stepped === 'yielded') model.yieldItem(id);
  else if (stepped === 'failed') model.fail(id);
  else model.complete(id);
}

/**
 * Starts the model as for synchronous tasks, each ending the moment it starts; a generator
 * first yields its items (`items(id)` of them).
 */
function runSynchronously(model: ReferenceModel, items: (id: number) => number = () => 0): void {
  model.start();
  for (let started = model.dispatch(); started.length > 0; started = model.dispatch()) {
    for (const id of started) {
      for (let k = items(id); k > 0; k--) model.yieldItem(id);
      model.complete(id);
    }
  }
}

/** Ends the model's running tasks, as fast-check picks them, until nothing runs. */
async function driveToEnd(
  real: Driven,
  model: ReferenceModel,
  picks: readonly number[],
  fails: readonly boolean[] = [],
): Promise<void> {
  for (let step = 0; model.running().length > 0; step++) {
    const running = model.running();
    assert.deepEqual(real.running(), running, 'the same tasks run');
    const id = at(running, (picks[step] ?? 0) % running.length);
    const stepped = await real.step(id, fails[id] ?? false);
    applyStep(model, id, stepped);
    model.dispatch();
    assert.deepEqual(real.starts, model.starts, `starts after t${id} ${stepped}`);
  }
}

describe('dispatch order against the reference model (API.md section 5)', () => {
  it('the model gives the seed example its documented order (a check of the model itself)', async () => {
    // The seed with 3 in place of 100: A[i], B[i] = invert(A[i]) submitted in turn (ids 2i,
    // 2i + 1), then C[3i + k] = multiply(B[i], B[k]) (id 6 + 3i + k).
    const dag: number[][] = [];
    for (let i = 0; i < 3; i++) dag.push([], [2 * i]);
    for (let i = 0; i < 3; i++) for (let k = 0; k < 3; k++) dag.push([2 * i + 1, 2 * k + 1]);
    const label = (id: number) => (id < 6 ? `${'AB'[id % 2]}${id >> 1}` : `C${id - 6}`);
    const expected = 'A2 B2 C8 A1 B1 C7 A0 B0 C6 C5 C4 C3 C2 C1 C0';
    const model = new ReferenceModel([1]);
    for (const parents of dag) model.submit(parents);
    runSynchronously(model);
    assert.equal(model.starts.map(label).join(' '), expected);
    const real = new Driven([1], true);
    for (const parents of dag) real.submit(plain(parents));
    real.sch.start();
    await real.sch.wait();
    assert.equal(real.starts.map(label).join(' '), expected);
  });

  it('one slot, synchronous tasks, all submitted before start(): the exact same starts', async () => {
    await fc.assert(
      fc.asyncProperty(
        dagArbitrary(200),
        fc.array(fc.boolean(), { maxLength: 200, size: 'max' }),
        async (dag, nesting) => {
          const real = new Driven([1], true);
          const model = new ReferenceModel([1]);
          dag.forEach((parents, id) => {
            real.submit(plain(parents), 0, nesting[id] ?? false);
            model.submit(parents);
          });
          real.sch.start();
          await real.sch.wait();
          runSynchronously(model);
          assert.deepEqual(real.starts, model.starts);
          assert.deepEqual(real.statuses(), model.statuses());
        },
      ),
      { numRuns: 200, includeErrorInReport: true },
    );
  });

  it('one queue of 1..4 slots, async tasks ended in a random order: same starts at each step', async () => {
    await fc.assert(
      fc.asyncProperty(
        dagArbitrary(200),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(), { maxLength: 200, size: 'max' }),
        async (dag, concurrency, picks) => {
          const real = new Driven([concurrency]);
          const model = new ReferenceModel([concurrency]);
          for (const parents of dag) {
            real.submit(plain(parents));
            model.submit(parents);
          }
          real.sch.start();
          model.start();
          await settle(real.dispatching);
          model.dispatch();
          assert.deepEqual(real.starts, model.starts, 'starts after start()');
          await driveToEnd(real, model, picks);
          await checkEnd(real, model);
        },
      ),
      { numRuns: 100, includeErrorInReport: true },
    );
  });

  it('submissions interleaved with completions and failures: new tasks go first at once', async () => {
    const submitBatch = fc.record({
      kind: fc.constant('submit' as const),
      // Several submissions in one synchronous stretch: the scheduler sees them together.
      batch: fc.array(fc.record({ offsets: parentOffsets(), nested: fc.boolean() }), {
        minLength: 1,
        maxLength: 3,
      }),
    });
    // Now and then the task throws: later submissions may then name failed or cancelled tasks.
    const endOne = fc.record({
      kind: fc.constant('end' as const),
      pick: fc.nat(),
      failed: fc.integer({ min: 0, max: 7 }).map((draw) => draw === 0),
    });
    await fc.assert(
      fc.asyncProperty(
        dagArbitrary(20),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.oneof(submitBatch, endOne), { maxLength: 150, size: 'max' }),
        fc.array(fc.nat(), { maxLength: 200, size: 'max' }),
        async (initial, concurrency, ops, picks) => {
          const real = new Driven([concurrency]);
          const model = new ReferenceModel([concurrency]);
          for (const parents of initial) {
            real.submit(plain(parents));
            model.submit(parents);
          }
          real.sch.start();
          model.start();
          await settle(real.dispatching);
          model.dispatch();
          assert.deepEqual(real.starts, model.starts, 'starts after start()');
          for (const op of ops) {
            if (op.kind === 'submit') {
              for (const { offsets, nested } of op.batch) {
                // Parents among every task so far, whether waiting, running or done.
                const parents = parentsFrom(offsets, model.size);
                real.submit(plain(parents), 0, nested);
                model.submit(parents);
              }
              await settle(real.dispatching);
            } else {
              const running = model.running();
              if (running.length > 0) {
                const id = at(running, op.pick % running.length);
                await real.end(id, op.failed);
                if (op.failed) model.fail(id);
                else model.complete(id);
              }
            }
            model.dispatch();
            assert.deepEqual(real.starts, model.starts, `starts after ${JSON.stringify(op)}`);
          }
          await driveToEnd(real, model, picks);
          await checkEnd(real, model);
        },
      ),
      { numRuns: 150, includeErrorInReport: true },
    );
  });

  const queueCounts = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 3 });
  const spread = fc.array(fc.nat(), { maxLength: 100, size: 'max' });

  it('several queues: the first task in the walk whose queue has a free slot starts', async () => {
    await fc.assert(
      fc.asyncProperty(dagArbitrary(100), queueCounts, spread, spread, (dag, ...run) =>
        runAgainstModel(plainSpecs(dag), ...run, []),
      ),
      { numRuns: 100, includeErrorInReport: true },
    );
  });

  it('failing tasks: their cancelled dependents leave the walk, the rest keeps the order', async () => {
    await fc.assert(
      fc.asyncProperty(
        dagArbitrary(100),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
        spread,
        spread,
        fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 100, size: 'max' }),
        (dag, concurrency, queueOf, picks, failDraws) =>
          runAgainstModel(
            plainSpecs(dag),
            concurrency,
            queueOf,
            picks,
            failDraws.map((draw) => draw === 0),
          ),
      ),
      { numRuns: 100, includeErrorInReport: true },
    );
  });
});

describe('dispatch order with generator tasks whose items are dependencies', () => {
  const failDraws = fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 150, size: 'max' });
  const spread = fc.array(fc.nat(), { maxLength: 150, size: 'max' });

  it('one slot, synchronous generators and tasks, all submitted before start(): the exact same starts', async () => {
    await fc.assert(
      fc.asyncProperty(
        streamDagArbitrary(150),
        fc.array(fc.boolean(), { maxLength: 150, size: 'max' }),
        async (specs, nesting) => {
          const real = new Driven([1], true);
          const model = new ReferenceModel([1]);
          specs.forEach((spec, id) => {
            real.submit(spec, 0, nesting[id] ?? false);
            model.submit(spec.deps, 0, spec.generator);
          });
          real.sch.start();
          await real.sch.wait(); // items past the end fail, but no task does
          runSynchronously(model, (id) => at(specs, id).items);
          assert.deepEqual(real.starts, model.starts);
          assert.deepEqual(real.statuses(), model.statuses());
        },
      ),
      { numRuns: 150, includeErrorInReport: true },
    );
  });

  it('1..3 queues of 1..4 slots, items yielded and tasks ended in a random order, some failing: same starts at each step', async () => {
    await fc.assert(
      fc.asyncProperty(
        streamDagArbitrary(100),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
        spread,
        spread,
        failDraws,
        (specs, concurrency, queueOf, picks, draws) =>
          runAgainstModel(
            specs,
            concurrency,
            queueOf,
            picks,
            draws.map((draw) => draw === 0),
          ),
      ),
      { numRuns: 150, includeErrorInReport: true },
    );
  });

  it('submissions while generators run: tasks on yielded, coming and past-the-end items take their place at once', async () => {
    const submitBatch = fc.record({
      kind: fc.constant('submit' as const),
      batch: fc.array(fc.record({ raw: rawSpecArbitrary(), nested: fc.boolean() }), {
        minLength: 1,
        maxLength: 3,
      }),
    });
    const stepOne = fc.record({
      kind: fc.constant('step' as const),
      pick: fc.nat(),
      failed: fc.integer({ min: 0, max: 7 }).map((draw) => draw === 0),
    });
    await fc.assert(
      fc.asyncProperty(
        streamDagArbitrary(20),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.oneof(submitBatch, stepOne), { maxLength: 150, size: 'max' }),
        spread,
        async (initial, concurrency, ops, picks) => {
          const real = new Driven([concurrency]);
          const model = new ReferenceModel([concurrency]);
          const specs: TaskSpec[] = [];
          const submit = (raw: RawSpec, nested = false): void => {
            const spec = addSpec(specs, raw);
            real.submit(spec, 0, nested);
            model.submit(spec.deps, 0, spec.generator);
          };
          for (const spec of initial) {
            specs.push(spec);
            real.submit(spec);
            model.submit(spec.deps, 0, spec.generator);
          }
          real.sch.start();
          model.start();
          await settle(real.dispatching);
          model.dispatch();
          assert.deepEqual(real.starts, model.starts, 'starts after start()');
          for (const op of ops) {
            if (op.kind === 'submit') {
              // Dependencies on any task so far, and on items yielded, coming or past the end.
              for (const { raw, nested } of op.batch) submit(raw, nested);
              await settle(real.dispatching);
            } else {
              const running = model.running();
              if (running.length > 0) {
                const id = at(running, op.pick % running.length);
                applyStep(model, id, await real.step(id, op.failed));
              }
            }
            model.dispatch();
            assert.deepEqual(real.starts, model.starts, `starts after ${JSON.stringify(op)}`);
          }
          await driveToEnd(real, model, picks);
          await checkEnd(real, model);
        },
      ),
      { numRuns: 150, includeErrorInReport: true },
    );
  });
});

/**
 * Runs the graph of `specs` (task i on queue `queueOf[i]`, failing if `fails[i]`) on the real
 * scheduler and the model, all submitted before start(), stepping tasks as `picks` says (a
 * generator yields its items, then ends); compares at every step.
 */
async function runAgainstModel(
  specs: readonly TaskSpec[],
  concurrency: readonly number[],
  queueOf: readonly number[],
  picks: readonly number[],
  fails: readonly boolean[],
): Promise<void> {
  const real = new Driven(concurrency);
  const model = new ReferenceModel(concurrency);
  specs.forEach((spec, id) => {
    const queue = (queueOf[id] ?? 0) % concurrency.length;
    real.submit(spec, queue);
    model.submit(spec.deps, queue, spec.generator);
  });
  real.sch.start();
  model.start();
  await settle(real.dispatching);
  model.dispatch();
  assert.deepEqual(real.starts, model.starts, 'starts after start()');
  await driveToEnd(real, model, picks, fails);
  await checkEnd(real, model);
}

/** Once nothing runs: the same final statuses, and wait() rejects iff a task failed. */
async function checkEnd(real: Driven, model: ReferenceModel): Promise<void> {
  const statuses = model.statuses();
  assert.deepEqual(real.statuses(), statuses);
  const waited = track(real.sch.wait());
  await settle(real.dispatching);
  assert.equal(waited.state, statuses.includes('failed') ? 'rejected' : 'resolved');
  if (waited.state === 'rejected') assert.ok(waited.error instanceof TaskFailedError);
}
