import type { TaskFunction } from '../graph/task-node.js';
import { typeError, type Where } from '../options/validate.js';
import type { AbortReceiver, TaskInfo } from '../scheduler/current-task.js';
import type { ItemSink } from './drive-generator.js';

/** A queue as its executor sees it when the queue is made. */
export interface ExecutorQueue {
  /** The queue's name. */
  readonly name: string;
  /** How many of its tasks may run at once. */
  readonly concurrency: number;
}

/** What `run` is told of a task: what `currentTask()` returns, and a hook for its abort. */
export interface RunInfo extends TaskInfo {
  /**
   * Set it to be told when the scheduler aborts the running task (its timeout passed or its
   * signal aborted), e.g. to pass the abort on to a worker. Cheaper than a listener on
   * `signal`.
   */
  receiver: AbortReceiver | undefined;
}

/**
 * Where a queue's tasks run. An executor runs what it is given and reports back only through
 * `run`'s return value: it never sees the graph, the order or the slots.
 */
export interface Executor {
  /** A short name for messages: `inline`, `threads`, ... */
  readonly kind: string;
  /**
   * Called by each queue that uses this executor, as the queue is made. Worker pools size
   * themselves from it: a queue's concurrency is its number of workers.
   *
   * @throws if the executor cannot serve another queue; the queue is then not made.
   */
  attach?(queue: ExecutorQueue): void;
  /**
   * Says why `fn` cannot run here (for a `TypeError` at submit time), or `undefined` if it can.
   */
  refuse(fn: TaskFunction): string | undefined;
  /**
   * Runs a task: returns its value, a thenable of it, or throws its error.
   *
   * @param fn - the function (or task reference) to run.
   * @param args - its arguments, every future already replaced by its value.
   * @param info - what `currentTask()` returns while the task runs.
   * @param sink - for a generator task: receives each item as it is yielded (the executor
   *   then returns a thenable that settles when the generator ends).
   */
  run(fn: TaskFunction, args: unknown[], info: RunInfo, sink?: ItemSink): unknown;
  /** Frees what the executor holds (pools, connections) so the process can exit. */
  close(): Promise<void>;
}

/**
 * Checks that `value` is an executor (what `inline()`, `threads()`, `processes()` and
 * `cluster()` return, or an object of the same shape): an object with a string `kind` and
 * `refuse`, `run` and `close` functions, and `attach` a function if present.
 *
 * @throws TypeError in the shape of the options checks (`where` names the call and option).
 */
export function checkExecutor(where: Where, value: unknown): Executor {
  let shaped = false;
  if (value !== null && typeof value === 'object') {
    try {
      const e = value as Record<string, unknown>;
      shaped =
        typeof e.kind === 'string' &&
        typeof e.refuse === 'function' &&
        typeof e.run === 'function' &&
        typeof e.close === 'function' &&
        (e.attach === undefined || typeof e.attach === 'function');
    } catch {
      shaped = false;
    }
  }
  if (!shaped) {
    const hint = typeof value === 'function' ? ' (call it: threads(), not threads)' : '';
    throw typeError(
      where.call,
      where.key,
      `an executor such as inline(), threads(), processes() or cluster(...)${hint}`,
      value,
    );
  }
  return value as Executor;
}
