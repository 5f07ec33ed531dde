import { availableParallelism } from 'node:os';
import { describeValue } from '../errors.js';
import type { Executor } from '../executors/executor.js';
import { inline } from '../executors/inline.js';
import type { Args } from '../futures/argument-types.js';
import { Future } from '../futures/future.js';
import type { TaskFunction } from '../graph/task-node.js';
import { engineOf, type Scheduler } from '../scheduler/scheduler.js';
import { QueueState } from './queue-state.js';

/** Options of `new Queue(sch, options)`. */
export interface QueueOptions {
  /**
   * How many of the queue's tasks may run at once: a positive integer.
   * @default os.availableParallelism()
   */
  concurrency?: number;
  /**
   * A name for events, reports and errors.
   * @default `queue-N`, N counting the scheduler's queues from 1
   */
  name?: string;
  /**
   * Where the queue's tasks run.
   * @default inline()
   */
  executor?: Executor;
}

/** Options for one task, given with `Q.options(taskOptions).submit(fn, ...args)`. */
export interface TaskOptions {
  /**
   * Shown in events, reports and errors.
   * @default the function's name
   */
  name?: string;
}

/** A task submitter bound to per-task options; see `Queue.options`. */
export interface Submitter {
  /** Like `Queue.submit`, with the bound options. */
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: Args<A>): Future<Awaited<R>>;
}

function checkConcurrency(value: unknown): number {
  if (value === undefined) return availableParallelism();
  if (typeof value !== 'number') {
    throw new TypeError(
      `Expected \`concurrency\` to be a number from 1 and up, got ${describeValue(value)}.`,
    );
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Expected \`concurrency\` to be an integer from 1 and up, got ${describeValue(value)}.`,
    );
  }
  return value;
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
export class Queue {
  readonly #state: QueueState;
  readonly #scheduler: Scheduler;

  constructor(scheduler: Scheduler, options: QueueOptions = {}) {
    const engine = engineOf(scheduler);
    if (engine === undefined) {
      throw new TypeError(
        `Expected a Scheduler as the first argument of new Queue(), got ${describeValue(scheduler)}.`,
      );
    }
    const concurrency = checkConcurrency(options.concurrency);
    const name = options.name ?? `queue-${engine.queues.length + 1}`;
    if (typeof name !== 'string') {
      throw new TypeError(`Expected \`name\` to be a string, got ${describeValue(name)}.`);
    }
    const executor = options.executor ?? inline();
    this.#state = new QueueState(engine, name, concurrency, executor);
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
  submit<A extends unknown[], R>(fn: (...args: A) => R, ...args: Args<A>): Future<Awaited<R>> {
    return this.#submit(fn, args, undefined);
  }

  /**
   * Binds per-task options for one or more submissions.
   *
   * @example
   * ```ts
   * const total = Q.options({ name: 'sum' }).submit(sum, parts);
   * ```
   */
  options(taskOptions: TaskOptions): Submitter {
    if (taskOptions === null || typeof taskOptions !== 'object') {
      throw new TypeError(
        `Expected the task options to be an object, got ${describeValue(taskOptions)}.`,
      );
    }
    if (taskOptions.name !== undefined && typeof taskOptions.name !== 'string') {
      throw new TypeError(
        `Expected \`name\` to be a string, got ${describeValue(taskOptions.name)}.`,
      );
    }
    return {
      submit: <A extends unknown[], R>(fn: (...args: A) => R, ...args: Args<A>) =>
        this.#submit(fn, args, taskOptions),
    };
  }

  #submit<R>(
    fn: unknown,
    args: unknown[],
    taskOptions: TaskOptions | undefined,
  ): Future<Awaited<R>> {
    const name = taskOptions?.name ?? ((typeof fn === 'function' && fn.name) || 'anonymous');
    if (typeof fn !== 'function') {
      throw new TypeError(
        `Expected ${this.#state.name}.submit() to be given a function for task \`${name}\`, got ${describeValue(fn)}.`,
      );
    }
    const task = fn as TaskFunction;
    const refusal = this.#state.executor.refuse(task);
    if (refusal !== undefined) throw new TypeError(refusal);
    const node = engineOf(this.#scheduler)?.submit(this.#state, task, args, name);
    return new Future<Awaited<R>>(node as NonNullable<typeof node>);
  }
}
