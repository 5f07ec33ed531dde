/**
 * The model the fuzzer holds the real scheduler against: the dispatch rule of API.md section 5
 * (the walk of `test/property/reference-model.ts`, extended with resources and held slots),
 * failure and cancellation (section 6), retries, user aborts, timeouts (a timed-out attempt
 * keeps its slot until its function returns), hold/release, generators (declared counts,
 * replayed retries), stop/start and failFast, written to be obviously correct rather than
 * fast: every decision walks the whole graph again.
 *
 * Tasks are numbered 0, 1, 2, ... in submission order (a higher number is a newer task).
 * The model never starts a task by itself: the harness tells it each start the real scheduler
 * made (`observeStart`), and the model checks it was the rule's choice and broke no
 * invariant. After the scheduler had its chance to dispatch, `firstStartable()` must be
 * undefined: nothing startable may be left waiting (or a slot or resource was lost).
 */

export type Status = 'unstarted' | 'running' | 'done' | 'failed' | 'cancelled';

/** A dependency: a task (a generator's whole stream) or item `index` of generator `gen`. */
export type Dep = { readonly task: number } | { readonly gen: number; readonly index: number };

/** Why a task ended the way it did. */
export type Ending =
  /** Its own attempt failed with this value (an Error, or a wrapped non-Error). */
  | { readonly kind: 'own'; readonly thrown: unknown }
  /** Cancelled because `root` failed or was cancelled; `index` set for an item past the end. */
  | { readonly kind: 'dependency'; readonly root: number; readonly pastEnd?: number }
  /** Cancelled by its user's abort (before it started, or a failure after the abort). */
  | { readonly kind: 'aborted' };

export interface TaskSpec {
  readonly queue: number;
  readonly generator: boolean;
  /** Every dependency in walk order: arguments depth-first, then release, then after. */
  readonly deps: readonly Dep[];
  readonly demand: readonly number[];
  readonly hold: boolean;
  readonly releases: readonly number[];
  readonly retries: number;
  /** Milliseconds (of the test's fake clock) before a running attempt times out. */
  readonly timeout: number | undefined;
  /** A generator's item count declared by `numberOfResults`, if any. */
  readonly declared: number | undefined;
}

export interface ModelTask extends TaskSpec {
  readonly id: number;
  status: Status;
  attempt: number;
  /** Generators: items yielded so far. */
  yielded: number;
  /** Finished done with `hold`, and no releaser settled yet. */
  holding: boolean;
  /** A releaser of this task settled: it must not (or no longer) hold. */
  released: boolean;
  /** The user aborted it while it ran: a failure now cancels it. */
  aborted: boolean;
  ending: Ending | undefined;
  /** When the running attempt started (the fake clock's milliseconds). */
  startedAt: number;
  /** A retried generator: items its attempt yields again before it yields new ones. */
  replayLeft: number;
  /** A generator yielded more than it declared. */
  surplus: boolean;
}

/** An attempt that timed out while its function runs on: it keeps its slot and resources. */
export interface Zombie {
  readonly task: number;
  readonly attempt: number;
  readonly queue: number;
  readonly demand: readonly number[];
}

/** What a timed-out attempt failed with (the real error is the scheduler's TimeoutError). */
export const TIMED_OUT = Symbol('timed out');
/** A generator whose items did not match its declared count (StreamCountError). */
export const COUNT_MISMATCH = Symbol('count mismatch');
/** A retried generator that yielded fewer items than were delivered (StreamReplayError). */
export const SHORT_REPLAY = Symbol('short replay');

export interface QueueSpec {
  readonly concurrency: number;
  /** Total of each resource; 0: the queue lacks it. */
  readonly totals: readonly number[];
}

function finished(status: Status): boolean {
  return status === 'done' || status === 'failed' || status === 'cancelled';
}

export class Model {
  readonly tasks: ModelTask[] = [];
  readonly queues: readonly QueueSpec[];
  readonly failFast: boolean;
  started = false;
  halted = false;
  /** The fake clock, in milliseconds. */
  now = 0;
  readonly zombies: Zombie[] = [];
  /** Every task failure so far (the errors `wait()` must report), by task. */
  readonly failures: number[] = [];

  constructor(queues: readonly QueueSpec[], failFast: boolean) {
    this.queues = queues;
    this.failFast = failFast;
  }

  task(id: number): ModelTask {
    const task = this.tasks[id];
    if (task === undefined) throw new Error(`model: no task ${id}`);
    return task;
  }

  /** The status of a dependency; an item is 'unstarted' while it may still come. */
  depStatus(dep: Dep): Status {
    if ('task' in dep) return this.task(dep.task).status;
    const gen = this.task(dep.gen);
    if (dep.index < gen.yielded) return 'done';
    if (gen.status === 'done') return 'failed'; // past the end: IndexError
    if (gen.status === 'failed' || gen.status === 'cancelled') return gen.status;
    return 'unstarted';
  }

  /** The root a dependent of a failed or cancelled `dep` names, and why. */
  #rootOf(dep: Dep): Ending {
    const id = 'task' in dep ? dep.task : dep.gen;
    const source = this.task(id);
    const pastEnd =
      source.status === 'done' ||
      (source.ending?.kind === 'own' && source.ending.thrown === COUNT_MISMATCH);
    if (!('task' in dep) && pastEnd) {
      return { kind: 'dependency', root: id, pastEnd: dep.index };
    }
    if (source.status === 'cancelled' && source.ending?.kind === 'dependency') return source.ending;
    return { kind: 'dependency', root: id };
  }

  /** Adds the newest task; it is cancelled at once if a dependency already failed. */
  submit(spec: TaskSpec): ModelTask {
    const task: ModelTask = {
      ...spec,
      id: this.tasks.length,
      status: 'unstarted',
      attempt: 0,
      yielded: 0,
      holding: false,
      released: false,
      aborted: false,
      ending: undefined,
      startedAt: 0,
      replayLeft: 0,
      surplus: false,
    };
    this.tasks.push(task);
    for (const dep of spec.deps) {
      const status = this.depStatus(dep);
      if (status === 'failed' || status === 'cancelled') {
        this.#cancel(task, this.#rootOf(dep));
        break;
      }
    }
    return task;
  }

  /** The ids of the tasks taking queue q's slots: running, holding, or timed out and running on. */
  occupants(q: number): number[] {
    const ids = this.tasks
      .filter((t) => t.queue === q && (t.status === 'running' || t.holding))
      .map((t) => t.id);
    for (const z of this.zombies) if (z.queue === q) ids.push(z.task);
    return ids.sort((a, b) => a - b);
  }

  /** Slots taken on queue q. */
  slotsTaken(q: number): number {
    return this.occupants(q).length;
  }

  /** Amount of resource r in use on queue q (running, held and timed-out tasks). */
  used(q: number, r: number): number {
    let sum = 0;
    for (const t of this.tasks) {
      if (t.queue === q && (t.status === 'running' || t.holding)) sum += t.demand[r] ?? 0;
    }
    for (const z of this.zombies) if (z.queue === q) sum += z.demand[r] ?? 0;
    return Math.round(sum * 1e9) / 1e9;
  }

  #fits(task: ModelTask): boolean {
    const spec = this.queues[task.queue] as QueueSpec;
    if (this.slotsTaken(task.queue) >= spec.concurrency) return false;
    return spec.totals.every(
      (total, r) => this.used(task.queue, r) + (task.demand[r] ?? 0) <= total + 1e-9,
    );
  }

  /**
   * The rule's next start: walk the unfinished tasks from the newest to the oldest; a task whose
   * dependencies all finished is a candidate; a waiting one is followed into its dependencies,
   * depth-first, in order; the first candidate whose queue has a free slot and the resources it
   * asks for starts. Undefined if none can, or the scheduler is stopped or halted.
   */
  firstStartable(): ModelTask | undefined {
    if (!this.started || this.halted) return undefined;
    const visited = new Set<string>();
    const visitTask = (task: ModelTask): ModelTask | undefined => {
      if (visited.has(`t${task.id}`) || finished(task.status)) return undefined;
      visited.add(`t${task.id}`);
      if (task.deps.every((dep) => finished(this.depStatus(dep)))) {
        return task.status === 'unstarted' && this.#fits(task) ? task : undefined;
      }
      for (const dep of task.deps) {
        const found = 'task' in dep ? visitTask(this.task(dep.task)) : visitItem(dep);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    const visitItem = (item: { gen: number; index: number }): ModelTask | undefined => {
      const key = `t${item.gen}[${item.index}]`;
      if (visited.has(key) || finished(this.depStatus(item))) return undefined;
      visited.add(key);
      return visitTask(this.task(item.gen));
    };
    for (let id = this.tasks.length - 1; id >= 0; id--) {
      const found = visitTask(this.task(id));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The real scheduler started `id`: returns what is wrong with that, if anything. */
  observeStart(id: number): string | undefined {
    const expected = this.firstStartable();
    const task = this.task(id);
    if (task.status !== 'unstarted') return `t${id} started while ${task.status}`;
    const notDone = task.deps.filter((dep) => this.depStatus(dep) !== 'done');
    if (notDone.length > 0)
      return `t${id} started before its dependencies ${JSON.stringify(notDone)}`;
    if (!this.#fits(task)) {
      const q = task.queue;
      return `t${id} started on q${q} with ${this.slotsTaken(q)} slots taken, resources used ${this.queues[q]?.totals.map((_, r) => this.used(q, r))}`;
    }
    if (expected?.id !== id) return `t${id} started, but the rule starts t${expected?.id} first`;
    task.status = 'running';
    task.startedAt = this.now;
    return undefined;
  }

  /**
   * Generator `id` yields its next item; false if the scheduler refuses it (past the declared
   * count). A retried generator yields its delivered items again first: they are skipped.
   */
  yieldItem(id: number): boolean {
    const task = this.task(id);
    if (!task.generator || task.status !== 'running') throw new Error(`model: t${id} cannot yield`);
    if (task.replayLeft > 0) {
      task.replayLeft--;
      return true;
    }
    if (task.declared !== undefined && task.yielded >= task.declared) {
      task.surplus = true;
      return false;
    }
    task.yielded++;
    return true;
  }

  /** A running attempt returned a value (a generator's stream may still not add up). */
  succeed(id: number): void {
    const task = this.#running(id);
    if (task.generator && task.replayLeft > 0) {
      this.#failed(task, SHORT_REPLAY);
      return;
    }
    const mismatch = task.declared !== undefined && task.yielded !== task.declared;
    if (task.generator && (task.surplus || mismatch)) {
      this.#failed(task, COUNT_MISMATCH);
      return;
    }
    task.status = 'done';
    task.holding = task.hold && !task.released;
    this.#settled(task);
    // Items past the end of a done stream fail: their dependents are cancelled.
    if (task.generator) this.#cascade();
  }

  /** A running attempt failed with `thrown` (as the task sees it: an Error or wrapped value). */
  fail(id: number, thrown: unknown): void {
    const task = this.#running(id);
    if (task.aborted) {
      task.status = 'cancelled';
      task.ending = { kind: 'aborted' };
    } else if (task.attempt < task.retries) {
      task.attempt++;
      task.status = 'unstarted';
      task.replayLeft = task.yielded;
      return;
    } else {
      this.#failed(task, thrown);
      return;
    }
    this.#settled(task);
    this.#cascade();
  }

  /** The task fails for good (no retry): its dependents are cancelled. */
  #failed(task: ModelTask, thrown: unknown): void {
    task.status = 'failed';
    task.ending = { kind: 'own', thrown };
    this.failures.push(task.id);
    if (this.failFast) this.halted = true;
    this.#settled(task);
    this.#cascade(task.generator ? task.id : undefined);
  }

  /** Task `id`'s running attempt timed out: its function runs on, as a zombie. */
  timedOut(id: number): string | undefined {
    const task = this.task(id);
    if (task.status !== 'running') return `t${id} timed out while ${task.status}`;
    if (task.timeout === undefined || task.startedAt + task.timeout > this.now) {
      return `t${id} timed out at ${this.now}, started at ${task.startedAt} with timeout ${task.timeout}`;
    }
    this.zombies.push({ task: id, attempt: task.attempt, queue: task.queue, demand: task.demand });
    this.fail(id, TIMED_OUT);
    return undefined;
  }

  /** True if `attempt` of task `id` timed out and its function still runs. */
  isZombie(id: number, attempt: number): boolean {
    return this.zombies.some((z) => z.task === id && z.attempt === attempt);
  }

  /** The function of a timed-out attempt returned: its slot and resources are free. */
  zombieReturned(id: number, attempt: number): void {
    const at = this.zombies.findIndex((z) => z.task === id && z.attempt === attempt);
    if (at < 0) throw new Error(`model: t${id} attempt ${attempt} is no zombie`);
    this.zombies.splice(at, 1);
  }

  /** Running attempts whose timeout has passed: they must have timed out. */
  overdue(): ModelTask[] {
    return this.running().filter(
      (t) => t.timeout !== undefined && t.startedAt + t.timeout <= this.now,
    );
  }

  /** The user aborted task `id`'s signal. */
  abort(id: number): void {
    const task = this.task(id);
    if (task.status === 'running') task.aborted = true;
    else if (task.status === 'unstarted') {
      task.status = 'cancelled';
      task.ending = { kind: 'aborted' };
      this.#settled(task);
      this.#cascade();
    }
  }

  start(): void {
    this.started = true;
    this.halted = false;
  }

  stop(): void {
    this.started = false;
  }

  unsettled(): ModelTask[] {
    return this.tasks.filter((t) => !finished(t.status));
  }

  running(): ModelTask[] {
    return this.tasks.filter((t) => t.status === 'running');
  }

  #running(id: number): ModelTask {
    const task = this.task(id);
    if (task.status !== 'running') throw new Error(`model: t${id} is ${task.status}, not running`);
    return task;
  }

  #cancel(task: ModelTask, ending: Ending): void {
    task.status = 'cancelled';
    task.ending = ending;
    this.#settled(task);
  }

  /** A task settled: the tasks it releases stop holding, whatever its outcome. */
  #settled(task: ModelTask): void {
    for (const held of task.releases) {
      const h = this.task(held);
      h.released = true;
      h.holding = false;
    }
  }

  /**
   * Cancels, until nothing changes, every unstarted task with a failed or cancelled
   * dependency. A generator that failed (`failedGenerator`) cancels its own dependents, and
   * everything they lead to, before the dependents of its items: the first cancellation names
   * the root and cause (past the end of a miscounted stream, IndexError; else its error).
   */
  #cascade(failedGenerator?: number): void {
    const ofFailed = (dep: Dep): boolean => !('task' in dep) && dep.gen === failedGenerator;
    this.#cancelBroken((dep) => !ofFailed(dep));
    this.#cancelBroken(() => true);
  }

  #cancelBroken(counts: (dep: Dep) => boolean): void {
    let changed = true;
    while (changed) {
      changed = false;
      for (const task of this.tasks) {
        if (task.status !== 'unstarted') continue;
        const dep = task.deps.find((d) => {
          const status = this.depStatus(d);
          return counts(d) && (status === 'failed' || status === 'cancelled');
        });
        if (dep !== undefined) {
          this.#cancel(task, this.#rootOf(dep));
          changed = true;
        }
      }
    }
  }
}
