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
 *
 * Generator tasks: item i of generator g (`stream.at(i)`) is a node of its own that waits on g,
 * so the walk follows a task that needs the item into g. It is finished (done) the moment g
 * yields item i; when g ends, the items it never yielded fail (past the end of a done stream,
 * or with g's error), and when g is cancelled they are cancelled. The generator task itself
 * holds its queue slot until it ends, like any running task. Item nodes are never started.
 */

export type ModelStatus = 'unstarted' | 'running' | 'done' | 'failed' | 'cancelled';

/** Item `index` of generator task `gen`: what `stream.at(index)` stands for. */
export interface ItemRef {
  readonly gen: number;
  readonly index: number;
}

/** A dependency: a task (for a generator, its whole stream) or one item of a generator. */
export type Dep = number | ItemRef;

interface ModelTask {
  readonly id: number;
  /** Dependencies in argument order; repeats are allowed and harmless. */
  readonly deps: readonly Dep[];
  readonly queue: number;
  readonly generator: boolean;
  /** How many items a generator has yielded so far. */
  yielded: number;
  status: ModelStatus;
}

function isFinishedStatus(status: ModelStatus): boolean {
  return status === 'done' || status === 'failed' || status === 'cancelled';
}

function isFinished(task: ModelTask): boolean {
  return isFinishedStatus(task.status);
}

/** The status of item `index` of generator `gen`: 'unstarted' while it may still come. */
function itemStatus(gen: ModelTask, index: number): ModelStatus {
  if (index < gen.yielded) return 'done';
  if (gen.status === 'done') return 'failed'; // past the end: IndexError
  if (gen.status === 'failed' || gen.status === 'cancelled') return gen.status;
  return 'unstarted';
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

  /**
   * Adds the newest task (a generator task if `generator`); returns its id. A task on a failed
   * dependency is cancelled at once.
   */
  submit(deps: readonly Dep[], queue = 0, generator = false): number {
    const id = this.#tasks.length;
    for (const dep of deps) {
      // reject ids that do not exist yet, and items of tasks that are no generators
      if (typeof dep === 'number') this.#task(dep);
      else if (!this.#task(dep.gen).generator) throw new Error(`model: t${dep.gen} has no items`);
    }
    this.#tasks.push({ id, deps: [...deps], queue, generator, yielded: 0, status: 'unstarted' });
    this.#cancelDependentsOfFailures();
    return id;
  }

  /** Running generator `id` yields its next item: that item is finished at once. */
  yieldItem(id: number): void {
    const task = this.#task(id);
    if (!task.generator || task.status !== 'running') {
      throw new Error(`model: t${id} cannot yield (${task.status})`);
    }
    task.yielded++;
  }

  start(): void {
    this.#started = true;
  }

  /** Ends a running task well; for a generator, the items it never yielded fail. */
  complete(id: number): void {
    this.#end(id, 'done');
    this.#cancelDependentsOfFailures();
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
    const visited = new Set<string>();
    const visitTask = (task: ModelTask): ModelTask | undefined => {
      if (visited.has(`t${task.id}`) || isFinished(task)) return undefined;
      visited.add(`t${task.id}`);
      if (task.deps.every((dep) => isFinishedStatus(this.#status(dep)))) {
        // A failed or cancelled dependency would have cancelled this task, so "all finished"
        // here means "all done".
        if (task.status === 'unstarted' && this.#hasFreeSlot(task.queue)) return task;
        return undefined;
      }
      for (const dep of task.deps) {
        const found = typeof dep === 'number' ? visitTask(this.#task(dep)) : visitItem(dep);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    // An unfinished item waits on its generator alone: the walk goes on into the generator.
    const visitItem = (item: ItemRef): ModelTask | undefined => {
      const key = `t${item.gen}[${item.index}]`;
      if (visited.has(key) || isFinishedStatus(this.#status(item))) return undefined;
      visited.add(key);
      return visitTask(this.#task(item.gen));
    };
    for (let id = this.#tasks.length - 1; id >= 0; id--) {
      const found = visitTask(this.#task(id));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The status of a dependency: a task's, or an item's (see `itemStatus`). */
  #status(dep: Dep): ModelStatus {
    if (typeof dep === 'number') return this.#task(dep).status;
    return itemStatus(this.#task(dep.gen), dep.index);
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
        const broken = task.deps.some((dep) => {
          const status = this.#status(dep);
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

/** One task of a random graph that has generator tasks. */
export interface TaskSpec {
  /** Dependencies in argument order: earlier tasks (whole streams, for generators) and items. */
  readonly deps: readonly Dep[];
  /** True for a generator task. */
  readonly generator: boolean;
  /** For a generator: how many items it yields before it ends (or throws); else 0. */
  readonly items: number;
}

/** Plain tasks only: the specs of a `dagArbitrary` graph. */
export function plainSpecs(dag: readonly (readonly number[])[]): TaskSpec[] {
  return dag.map((deps) => ({ deps, generator: false, items: 0 }));
}

/**
 * Dependencies on `parents` (ids among `specs`): on a generator, mostly one of the items it
 * will yield, sometimes its whole stream, now and then the item one past its last (which fails
 * with IndexError when it ends); `picks[k]` chooses for parent k.
 */
export function depsOn(
  parents: readonly number[],
  picks: readonly number[],
  specs: readonly TaskSpec[],
): Dep[] {
  return parents.map((parent, k) => {
    const spec = specs[parent];
    const pick = picks[k] ?? 0;
    if (spec === undefined || !spec.generator || pick % 8 < 2) return parent;
    if (pick % 8 === 2 || spec.items === 0) return { gen: parent, index: spec.items };
    return { gen: parent, index: Math.floor(pick / 8) % spec.items };
  });
}

/** What makes one task of `streamDagArbitrary`, before its parents are known. */
export interface RawSpec {
  offsets: number[];
  picks: number[];
  generator: boolean;
  items: number;
}

/** A raw task: about a third are generators, yielding 0..4 items. */
export function rawSpecArbitrary(maxParents = 4): fc.Arbitrary<RawSpec> {
  return fc.record({
    offsets: parentOffsets(maxParents),
    picks: fc.array(fc.nat(), { minLength: maxParents, maxLength: maxParents }),
    generator: fc.nat(2).map((draw) => draw === 0),
    items: fc.nat(4),
  });
}

/** Appends the task `raw` describes to `specs` (its parents among them); returns it. */
export function addSpec(specs: TaskSpec[], raw: RawSpec): TaskSpec {
  const parents = parentsFrom(raw.offsets, specs.length);
  const spec = {
    deps: depsOn(parents, raw.picks, specs),
    generator: raw.generator,
    items: raw.generator ? raw.items : 0,
  };
  specs.push(spec);
  return spec;
}

/**
 * A random graph of 1..maxTasks tasks, some of them generators, whose dependents need their
 * items (`stream.at(i)`, now and then one past the end) or their whole stream.
 */
export function streamDagArbitrary(maxTasks: number, maxParents = 4): fc.Arbitrary<TaskSpec[]> {
  return fc
    .array(rawSpecArbitrary(maxParents), { minLength: 1, maxLength: maxTasks, size: 'max' })
    .map((raws) => {
      const specs: TaskSpec[] = [];
      for (const raw of raws) addSpec(specs, raw);
      return specs;
    });
}
