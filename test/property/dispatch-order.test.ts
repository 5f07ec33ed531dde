import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type Future, Queue, Scheduler, TaskFailedError } from '../../src/index.js';
import {
  dagArbitrary,
  type ModelStatus,
  parentOffsets,
  parentsFrom,
  ReferenceModel,
  settle,
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

/**
 * A real scheduler whose tasks record their start and, unless `sync`, end only when the test
 * calls `end()`: the test, not timing, decides the order in which tasks complete.
 */
class Driven {
  readonly sch = new Scheduler();
  /** Task ids in the order their functions were called. */
  readonly starts: number[] = [];
  readonly #queues: Queue[];
  readonly #futures: Future<number>[] = [];
  readonly #endings = new Map<number, Ending>();
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

  /** Submits the next task; `nested` passes its dependencies inside one array argument. */
  submit(deps: readonly number[], queue = 0, nested = false): void {
    const id = this.#futures.length;
    const body = (): number | Promise<number> => {
      this.starts.push(id);
      if (this.#sync) return id;
      return new Promise<number>((resolve, reject) => this.#endings.set(id, { resolve, reject }));
    };
    const args = deps.map((dep) => at(this.#futures, dep));
    const submitter = at(this.#queues, queue).options({ name: `t${id}` });
    const future = nested
      ? submitter.submit((_deps: number[]) => body(), args)
      : submitter.submit((..._deps: number[]) => body(), ...args);
    this.#futures.push(future);
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
    return [...this.#endings.keys()].sort((a, b) => a - b);
  }

  statuses(): ModelStatus[] {
    return this.#futures.map(({ status }) =>
      status === 'waiting' || status === 'ready' ? 'unstarted' : status,
    );
  }
}

/** Starts the model as for synchronous tasks, each ending the moment it starts. */
function runSynchronously(model: ReferenceModel): void {
  model.start();
  for (let started = model.dispatch(); started.length > 0; started = model.dispatch()) {
    for (const id of started) model.complete(id);
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
    const failed = fails[id] ?? false;
    await real.end(id, failed);
    if (failed) model.fail(id);
    else model.complete(id);
    model.dispatch();
    assert.deepEqual(real.starts, model.starts, `starts after t${id} ended`);
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
    for (const parents of dag) real.submit(parents);
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
            real.submit(parents, 0, nesting[id] ?? false);
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
            real.submit(parents);
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
            real.submit(parents);
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
                real.submit(parents, 0, nested);
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
      fc.asyncProperty(dagArbitrary(100), queueCounts, spread, spread, (...run) =>
        runAgainstModel(...run, []),
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
            dag,
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

/**
 * Runs `dag` (task i on queue `queueOf[i]`, failing if `fails[i]`) on the real scheduler and the
 * model, all submitted before start(), ending tasks as `picks` says; compares at every step.
 */
async function runAgainstModel(
  dag: readonly number[][],
  concurrency: readonly number[],
  queueOf: readonly number[],
  picks: readonly number[],
  fails: readonly boolean[],
): Promise<void> {
  const real = new Driven(concurrency);
  const model = new ReferenceModel(concurrency);
  dag.forEach((parents, id) => {
    const queue = (queueOf[id] ?? 0) % concurrency.length;
    real.submit(parents, queue);
    model.submit(parents, queue);
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
