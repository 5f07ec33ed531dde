import fc from 'fast-check';

/**
 * A reference model of the dispatch rule of API.md section 5, written to be obviously correct
 * rather than fast: every decision walks the whole graph again, exactly as the rule reads.
 *
 * Tasks are numbered 0, 1, 2, ... in submission order, so a higher id is a newer task. Nothing
 * starts by itself: the test calls `dispatch()` at the points where the real scheduler has had
 * its chance to dispatch (after `start()`, a submission or a completion), so both make their
 * decisions on the same state.
 *
 * A failed or cancelled task has finished (it has ended, as `task:end` says), so it leaves the
 * walk like a done one: nothing is reached through a cancelled task any more.
 */

export type ModelStatus = 'unstarted' | 'running' | 'done' | 'failed' | 'cancelled';

interface ModelTask {
  readonly id: number;
  /** Dependencies in argument order; repeats are allowed and harmless. */
  readonly deps: readonly number[];
  readonly queue: number;
  status: ModelStatus;
}

function isFinished(task: ModelTask): boolean {
  return task.status === 'done' || task.status === 'failed' || task.status === 'cancelled';
}

export class ReferenceModel {
  readonly #tasks: ModelTask[] = [];
  readonly #concurrency: readonly number[];
  #started = false;
  /** Every start so far, in order: what the real scheduler must reproduce. */
  readonly starts: number[] = [];

  /** `concurrency[q]` is the number of slots of queue `q`. */
  constructor(concurrency: readonly number[]) {
    this.#concurrency = concurrency;
  }

  /** Adds the newest task; returns its id. A task on a failed dependency is cancelled at once. */
  submit(deps: readonly number[], queue = 0): number {
    const id = this.#tasks.length;
    for (const dep of deps) this.#task(dep); // reject ids that do not exist yet
    this.#tasks.push({ id, deps: [...deps], queue, status: 'unstarted' });
    this.#cancelDependentsOfFailures();
    return id;
  }

  start(): void {
    this.#started = true;
  }

  complete(id: number): void {
    this.#end(id, 'done');
  }

  /** Ends a running task with an error: everything depending on it is cancelled. */
  fail(id: number): void {
    this.#end(id, 'failed');
    this.#cancelDependentsOfFailures();
  }

  /** How many tasks were submitted. */
  get size(): number {
    return this.#tasks.length;
  }

  /** Each task's status, by id. */
  statuses(): ModelStatus[] {
    return this.#tasks.map((task) => task.status);
  }

  /** The ids of the running tasks, oldest first. */
  running(): number[] {
    return this.#tasks.filter((task) => task.status === 'running').map((task) => task.id);
  }

  /** Makes dispatch decisions until none starts anything; returns the ids started, in order. */
  dispatch(): number[] {
    const started: number[] = [];
    for (;;) {
      if (!this.#started) return started;
      const next = this.#firstStartable();
      if (next === undefined) return started;
      next.status = 'running';
      this.starts.push(next.id);
      started.push(next.id);
    }
  }

  /**
   * One dispatch decision, the rule verbatim: walk the unfinished tasks from the newest to the
   * oldest; a task whose dependencies have all finished is a candidate (unless it already
   * runs); a task still waiting is followed into its dependencies, depth-first, in argument
   * order; each task is visited once per walk; the first candidate whose queue has a free slot
   * is the one to start.
   */
  #firstStartable(): ModelTask | undefined {
    const visited = new Set<ModelTask>();
    const visit = (task: ModelTask): ModelTask | undefined => {
      if (visited.has(task) || isFinished(task)) return undefined;
      visited.add(task);
      const deps = task.deps.map((id) => this.#task(id));
      if (deps.every(isFinished)) {
        // A failed or cancelled dependency would have cancelled this task, so "all finished"
        // here means "all done".
        if (task.status === 'unstarted' && this.#hasFreeSlot(task.queue)) return task;
        return undefined;
      }
      for (const dep of deps) {
        const found = visit(dep);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    for (let id = this.#tasks.length - 1; id >= 0; id--) {
      const found = visit(this.#task(id));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  #hasFreeSlot(queue: number): boolean {
    const running = this.#tasks.filter((t) => t.queue === queue && t.status === 'running');
    const slots = this.#concurrency[queue];
    if (slots === undefined) throw new Error(`model: no queue ${queue}`);
    return running.length < slots;
  }

  #end(id: number, status: 'done' | 'failed'): void {
    const task = this.#task(id);
    if (task.status !== 'running') throw new Error(`model: task ${id} is ${task.status}`);
    task.status = status;
  }

  /** Cancels, until nothing changes, every unstarted task with a failed or cancelled dependency. */
  #cancelDependentsOfFailures(): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const task of this.#tasks) {
        if (task.status !== 'unstarted') continue;
        const broken = task.deps.some((id) => {
          const status = this.#task(id).status;
          return status === 'failed' || status === 'cancelled';
        });
        if (broken) {
          task.status = 'cancelled';
          changed = true;
        }
      }
    }
  }

  #task(id: number): ModelTask {
    const task = this.#tasks[id];
    if (task === undefined) throw new Error(`model: no task ${id}`);
    return task;
  }
}

/**
 * Random parents for a task submitted when `existing` tasks exist: each offset counts back from
 * the newest, so small offsets make deep chains and large ones reach far back. Offsets are
 * reduced modulo `existing`, so shrinking never makes a graph invalid.
 */
export function parentsFrom(offsets: readonly number[], existing: number): number[] {
  if (existing === 0) return [];
  return offsets.map((offset) => existing - 1 - (offset % existing));
}

/**
 * Offsets for up to `maxParents` parents (repeats allowed); see `parentsFrom`. Mostly recent
 * parents, for long chains (where the scheduler takes shortcuts), sometimes any earlier task.
 */
export function parentOffsets(maxParents = 4): fc.Arbitrary<number[]> {
  const offset = fc.oneof({ arbitrary: fc.nat(2), weight: 3 }, { arbitrary: fc.nat(), weight: 1 });
  return fc.array(offset, { maxLength: maxParents });
}

/**
 * A random DAG of 1..maxTasks tasks: `dag[i]` lists task i's parents, all among tasks < i.
 * `size: 'max'` lets the length reach `maxTasks` (fast-check's default size stays near 10).
 */
export function dagArbitrary(maxTasks: number, maxParents = 4): fc.Arbitrary<number[][]> {
  return fc
    .array(parentOffsets(maxParents), { minLength: 1, maxLength: maxTasks, size: 'max' })
    .map((offsets) => offsets.map((own, i) => parentsFrom(own, i)));
}

/**
 * Lets the real scheduler react to what a test just did. Completions and dispatch passes run on
 * microtasks, and a setImmediate callback runs only once the microtask queue is empty. A pass
 * that outran its time slice goes on in a later setImmediate, so the turn is repeated while
 * `dispatching()` says a pass is unfinished (bounded, so a broken count fails, never hangs).
 */
export async function settle(dispatching: () => boolean = () => false): Promise<void> {
  for (let turn = 0; turn < 100; turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!dispatching()) return;
  }
}

export interface Tracked {
  state: 'pending' | 'resolved' | 'rejected';
  error?: unknown;
}

/** Records how a promise settles (a hang stays 'pending'), leaving no rejection unhandled. */
export function track(promise: PromiseLike<unknown>): Tracked {
  const tracked: Tracked = { state: 'pending' };
  promise.then(
    () => {
      tracked.state = 'resolved';
    },
    (error: unknown) => {
      tracked.state = 'rejected';
      tracked.error = error;
    },
  );
  return tracked;
}
