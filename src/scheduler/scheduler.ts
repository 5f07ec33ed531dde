import { describeValue } from '../errors.js';
import { Future, nodeOf } from '../futures/future.js';
import { checkListener, EventHub, type Listener, type SchedulerEvents } from '../observe/events.js';
import type { Explanation } from '../observe/explain.js';
import { collectStats, type SchedulerStats } from '../observe/stats.js';
import type { Timeline } from '../observe/timeline.js';
import { TimelineRecorder } from '../observe/timeline-recorder.js';
import { boolean, optional, readOptions } from '../options/validate.js';
import type { QueueState } from '../queues/queue-state.js';
import { Engine } from './engine.js';

/** Options of `new Scheduler(options)`. */
export interface SchedulerOptions {
  /**
   * Start no task after the first failure (the original smqsched's behaviour); `wait()` then
   * rejects once the running tasks end. `start()` resumes.
   * @default false
   */
  failFast?: boolean;
  /**
   * Record every task's spans, dependencies and generator items for `timeline()`, reports and
   * graph exports. Costs 0.2 to 0.4 µs and about 50 bytes per task (see the README);
   * `false` turns it off.
   * @default true
   */
  record?: boolean;
}

/** The keys of {@link SchedulerOptions}, for `readOptions`. */
const SCHEDULER_OPTIONS = ['failFast', 'record'] as const;

/** Reads a scheduler's engine. Internal to smqsched: set once by `Scheduler`'s static block. */
export let engineOf: (scheduler: unknown) => Engine | undefined;

/**
 * Runs the tasks of its queues as one graph, starting first the tasks that lead to the results
 * of the most recently submitted tasks.
 *
 * @example
 * ```ts
 * const sch = new Scheduler();
 * const Q = new Queue(sch);
 * const x = Q.submit(() => 20);
 * const y = Q.submit((v: number) => v + 1, x);
 * sch.start();
 * await sch.wait();
 * console.log(y.result()); // 21
 * ```
 */
export class Scheduler {
  readonly #events = new EventHub();
  readonly #engine: Engine;

  static {
    engineOf = (scheduler) => (scheduler instanceof Scheduler ? scheduler.#engine : undefined);
  }

  /**
   * @throws TypeError if `options` is not an object, holds a key other than `failFast` and
   *   `record`, or a value that is not a boolean.
   */
  constructor(options?: SchedulerOptions) {
    const call = 'new Scheduler()';
    const o = readOptions(call, options, SCHEDULER_OPTIONS);
    const failFast = optional(call, o, 'failFast', boolean) ?? false;
    const record = optional(call, o, 'record', boolean) ?? true;
    const recorder = record ? (queues: QueueState[]) => new TimelineRecorder(queues) : undefined;
    this.#engine = new Engine(this.#events, failFast, recorder);
  }

  /** True between `start()` and `stop()`. */
  get running(): boolean {
    return this.#engine.started;
  }

  /**
   * Begins, or resumes, dispatching. Idempotent. Tasks submitted before `start()` wait for it.
   */
  start(): void {
    this.#engine.start();
  }

  /**
   * Starts no task after this call; resolves once the tasks already running have ended.
   * Nothing is lost: a later `start()` resumes without re-running anything that finished.
   */
  stop(): Promise<void> {
    return this.#engine.stop();
  }

  /**
   * Resolves when every task submitted so far, and any submitted while waiting, has settled.
   * While the scheduler is stopped it keeps waiting.
   *
   * @throws {@link TaskFailedError} (rejects) if tasks failed since the last `wait()` that
   *   reported failures; its `errors` hold each failed task's error.
   */
  wait(): Promise<void> {
    return this.#engine.wait();
  }

  /** Stops, waits for the running tasks, then shuts the executors down so the process can exit. */
  async close(): Promise<void> {
    await this.#engine.stop();
    await Promise.all(this.#engine.queues.map((queue) => queue.executor.close()));
  }

  /** How many tasks are in each state, per queue and in total. */
  stats(): SchedulerStats {
    return collectStats(this.#engine.queues);
  }

  /**
   * A copy of what the scheduler recorded so far: each task (queue, name, dependencies,
   * state), a span per attempt (start, end, status, attempt) and each generator item, with
   * `performance.now()` times. Render it with `writeReport`.
   *
   * @throws Error if the scheduler was made with `record: false`.
   */
  timeline(): Timeline {
    const recorder = this.#engine.recorder;
    if (!(recorder instanceof TimelineRecorder)) {
      throw new Error(
        'This scheduler records nothing: it was made with `record: false`. Leave `record` at its default (true) to get a timeline.',
      );
    }
    return recorder.snapshot();
  }

  /**
   * Says why a task is not running now, in words (`message`) and as data: waiting on which
   * dependencies, its queue full (and who takes the slots), a resource exhausted (and who
   * holds it), the scheduler stopped, or already settled.
   *
   * @example
   * ```ts
   * console.log(sch.explain(f).message);
   * // Task 7 (fit) is ready, but all 1 slot(s) of queue gpu are taken by 3 (acquire, holding its slot).
   * ```
   */
  explain(future: Future<unknown>): Explanation {
    if (!(future instanceof Future)) {
      throw new TypeError(`Expected explain() to be given a Future, got ${describeValue(future)}.`);
    }
    const node = nodeOf(future);
    if (node.queue.owner !== this.#engine) {
      throw new TypeError(
        `Expected explain() to be given a future of this scheduler, got one of another.`,
      );
    }
    return this.#engine.explain(node);
  }

  /**
   * Adds a listener for one of the scheduler's events.
   *
   * @throws TypeError if `name` is not one of the events (`task:start`, `task:retry`,
   *   `task:end`, `task:item`, `idle`) or `listener` is not a function.
   */
  on<E extends keyof SchedulerEvents>(name: E, listener: Listener<E>): this {
    checkListener('sch.on()', name, listener);
    this.#events.on(name, listener);
    return this;
  }

  /**
   * Removes a listener added with `on`.
   *
   * @throws TypeError, as `on` does, for an unknown event name or a listener that is not a
   *   function.
   */
  off<E extends keyof SchedulerEvents>(name: E, listener: Listener<E>): this {
    checkListener('sch.off()', name, listener);
    this.#events.off(name, listener);
    return this;
  }
}
