import { availableParallelism } from 'node:os';
import { describeValue, textOf } from '../errors.js';
import { checkExecutor, type Executor } from '../executors/executor.js';
import { inline } from '../executors/inline.js';
import type { Args } from '../futures/argument-types.js';
import { Future } from '../futures/future.js';
import { FutureStream } from '../futures/future-stream.js';
import { StreamState } from '../graph/stream-state.js';
import type { TaskFunction } from '../graph/task-node.js';
import { optional, positiveInteger, readOptions, string } from '../options/validate.js';
import type { Engine } from '../scheduler/engine.js';
import { engineOf, type Scheduler } from '../scheduler/scheduler.js';
import { QueueState } from './queue-state.js';
import { checkAmounts, ResourcePool } from './resources.js';
import {
  type CheckedTaskOptions,
  checkTaskOptions,
  resolveOptions,
  type TaskOptions,
} from './task-options.js';

/** Options of `new Queue(sch, options)`. */
export interface QueueOptions {
  /**
   * How many of the queue's tasks may run at once: a positive integer.
   * @default os.availableParallelism()
   */
  concurrency?: number;
  /**
   * A name for events, reports, errors and `sch.stats()`, unique within the scheduler.
   * @default `queue-N`, N counting the scheduler's queues from 1 (skipping names taken)
   */
  name?: string;
  /**
   * Named counters owned by this queue (a GPU, a memory budget, an instrument); tasks ask for
   * them with `Q.options({ resources })`.
   * @example `{ gpu: 2, memoryMB: 8192 }`
   */
  resources?: Record<string, number>;
  /**
   * Where the queue's tasks run.
   * @default inline()
   */
  executor?: Executor;
}

/** A generator function (sync or async) yielding `T`: its task returns a `FutureStream<T>`. */
export type GeneratorTask<A extends unknown[], T> = (
  ...args: A
) => Generator<T, unknown, undefined> | AsyncGenerator<T, unknown, undefined>;

/** Something tasks can be submitted to: a `Queue`, or a queue with bound task options. */
export interface Submitter {
  /**
   * Submits a generator task: returns its stream of items at once.
   */
  submit<A extends unknown[], T>(fn: GeneratorTask<A, T>, ...args: Args<A>): FutureStream<T>;
  /**
   * Submits `fn(...args)` as a task: returns its future at once.
   */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: Args<A>): Future<Awaited<R>>;
}

/** True if the options hold more than a name (a name alone needs no per-task settings). */
function hasTaskSettings(options: CheckedTaskOptions | undefined): options is CheckedTaskOptions {
  if (options === undefined) return false;
  for (const key of Object.keys(options) as (keyof CheckedTaskOptions)[]) {
    if (key !== 'name' && options[key] !== undefined) return true;
  }
  return false;
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor;
const AsyncGeneratorFunction = Object.getPrototypeOf(async function* () {}).constructor;

function isGeneratorFunction(fn: TaskFunction): boolean {
  return fn instanceof GeneratorFunction || fn instanceof AsyncGeneratorFunction;
}

/**
 * A task's default name: its function's `name` if that is a non-empty string, else
 * `anonymous` (also for a `name` getter that throws, or a Proxy whose `get` trap throws).
 */
function functionName(fn: unknown): string {
  if (typeof fn !== 'function') return 'anonymous';
  try {
    const name: unknown = fn.name;
    return typeof name === 'string' && name !== '' ? name : 'anonymous';
  } catch {
    return 'anonymous';
  }
}

/**
 * Reads `fn.numberOfResults(...args)`: the declared item count (a safe integer from 0 up, -0
 * read as 0), or undefined. Throws at submit, naming the task, for any other value and when
 * reading or calling `numberOfResults` throws (the error as `cause`).
 */
function declaredCount(fn: TaskFunction, args: unknown[], name: string): number | undefined {
  let declare: unknown;
  let count: unknown;
  try {
    declare = (fn as { numberOfResults?: unknown }).numberOfResults;
    if (typeof declare === 'function') count = declare(...args);
  } catch (error) {
    throw new Error(
      `\`numberOfResults\` of task \`${name}\` threw, so nothing was queued: ${textOf(error)}. Fix numberOfResults (see .cause) or remove it.`,
      { cause: error },
    );
  }
  if (declare === undefined) return undefined;
  if (typeof declare !== 'function') {
    throw new TypeError(
      `Expected \`numberOfResults\` of task \`${name}\` to be a function returning the item count, got ${describeValue(declare)}.`,
    );
  }
  if (count === undefined) return undefined;
  if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(
      `Expected \`numberOfResults\` of task \`${name}\` to return an integer from 0 up (or undefined), at most 2^53 - 1, got ${describeValue(count)}.`,
    );
  }
  return count + 0; // -0 is 0
}

/** The keys of {@link QueueOptions}, for `readOptions`. */
const QUEUE_OPTIONS = ['concurrency', 'name', 'resources', 'executor'] as const;

/** `queue-N` for the smallest N from the scheduler's queue count + 1 that no queue has. */
function defaultName(engine: Engine): string {
  const taken = new Set(engine.queues.map((queue) => queue.name));
  let n = engine.queues.length + 1;
  while (taken.has(`queue-${n}`)) n++;
  return `queue-${n}`;
}

/**
 * A queue of tasks with its own concurrency, feeding a scheduler. A scheduler may have many
 * queues (an instrument queue of 1 beside a compute queue of n CPUs); it keeps them all full
 * and starts, on each, the first ready task in the result-first order.
 *
 * @example
 * ```ts
 * const sch = new Scheduler();
 * const Q = new Queue(sch, { concurrency: 4, name: 'compute' });
 * const a = Q.submit(Math.sqrt, 16);
 * const b = Q.submit((x: number) => x + 1, a); // runs after a, with a's value
 * sch.start();
 * await sch.wait();
 * b.result(); // 5
 * ```
 */
export class Queue implements Submitter {
  readonly #state: QueueState;
  readonly #scheduler: Scheduler;

  /**
   * @throws TypeError or RangeError for malformed options (unknown keys included), Error if the
   *   scheduler already has a queue of that name; nothing is attached or added then.
   */
  constructor(scheduler: Scheduler, options?: QueueOptions) {
    const engine = engineOf(scheduler);
    if (engine === undefined) {
      throw new TypeError(
        `Expected a Scheduler as the first argument of new Queue(), got ${describeValue(scheduler)}.`,
      );
    }
    // Everything is checked before anything happens: a refused queue attaches to no executor.
    const call = 'new Queue()';
    const o = readOptions(call, options, QUEUE_OPTIONS);
    const concurrency = optional(call, o, 'concurrency', positiveInteger) ?? availableParallelism();
    const name = optional(call, o, 'name', string) ?? defaultName(engine);
    if (engine.queues.some((queue) => queue.name === name)) {
      throw new Error(
        `${call}: this scheduler already has a queue named \`${name}\`. Give each queue of a scheduler its own name.`,
      );
    }
    const totals = optional(call, o, 'resources', checkAmounts);
    const executor = optional(call, o, 'executor', checkExecutor) ?? inline();
    const resources = new ResourcePool(name, totals);
    executor.attach?.({ name, concurrency });
    this.#state = new QueueState(engine, name, concurrency, executor, resources);
    this.#scheduler = scheduler;
    engine.queues.push(this.#state);
  }

  /** The queue's name. */
  get name(): string {
    return this.#state.name;
  }

  /** How many of its tasks may run at once. */
  get concurrency(): number {
    return this.#state.concurrency;
  }

  /**
   * Submits `fn(...args)` as a task. Any argument may be a `Future` of an earlier task (at the
   * top level or inside plain arrays and objects): the task then waits for it and runs with its
   * value. Returns at once with the task's future.
   *
   * @throws TypeError if `fn` is not a function or an argument is a future of another
   *   scheduler; nothing is queued then.
   */
  submit<A extends unknown[], T>(fn: GeneratorTask<A, T>, ...args: Args<A>): FutureStream<T>;
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: Args<A>): Future<Awaited<R>>;
  submit(fn: unknown, ...args: unknown[]): Future<unknown> {
    return this.#submit(fn, args, undefined);
  }

  /**
   * Binds per-task options for one or more submissions. The options are checked and copied
   * here: changing the object afterwards changes no submission.
   *
   * @throws TypeError or RangeError for malformed options (unknown keys included).
   *
   * @example
   * ```ts
   * const total = Q.options({ name: 'sum' }).submit(sum, parts);
   * ```
   */
  options(taskOptions: TaskOptions): Submitter {
    const checked = checkTaskOptions(
      `${this.#state.name}.options()`,
      taskOptions,
      this.#state.owner,
    );
    const submit = (fn: unknown, ...args: unknown[]) => this.#submit(fn, args, checked);
    return { submit } as Submitter;
  }

  #submit(
    fn: unknown,
    args: unknown[],
    taskOptions: CheckedTaskOptions | undefined,
  ): Future<unknown> {
    const name = taskOptions?.name ?? functionName(fn);
    if (typeof fn !== 'function') {
      throw new TypeError(
        `Expected ${this.#state.name}.submit() to be given a function for task \`${name}\`, got ${describeValue(fn)}.`,
      );
    }
    const task = fn as TaskFunction;
    const refusal = this.#state.executor.refuse(task);
    if (refusal !== undefined) throw new TypeError(refusal);
    const engine = engineOf(this.#scheduler) as Engine;
    const resolved = hasTaskSettings(taskOptions)
      ? resolveOptions(taskOptions, this.#state, name)
      : undefined;
    const settings = resolved?.settings;
    const extraDeps = resolved?.extraDeps;
    if (!isGeneratorFunction(task)) {
      return new Future(
        engine.submit(this.#state, task, args, name, undefined, settings, extraDeps),
      );
    }
    const stream = new StreamState(declaredCount(task, args, name));
    return new FutureStream(
      engine.submit(this.#state, task, args, name, stream, settings, extraDeps),
    );
  }
}
