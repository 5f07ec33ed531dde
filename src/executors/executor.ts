import type { TaskFunction } from '../graph/task-node.js';
import type { TaskInfo } from '../scheduler/current-task.js';

/** One call of a task function, as the scheduler hands it to an executor. */
export interface TaskCall {
  /** The function (or task reference) to run. */
  readonly fn: TaskFunction;
  /** The arguments, with every future already replaced by its value. */
  readonly args: unknown[];
  /** What `currentTask()` returns while the task runs. */
  readonly info: TaskInfo;
}

/**
 * Where a queue's tasks run. An executor runs what it is given and reports back only through
 * `run`'s return value: it never sees the graph, the order or the slots.
 */
export interface Executor {
  /** A short name for messages: `inline`, `threads`, ... */
  readonly kind: string;
  /**
   * Says why `fn` cannot run here (for a `TypeError` at submit time), or `undefined` if it can.
   */
  refuse(fn: TaskFunction): string | undefined;
  /** Runs a task: returns its value, a thenable of it, or throws its error. */
  run(call: TaskCall): unknown;
  /** Frees what the executor holds (pools, connections) so the process can exit. */
  close(): Promise<void>;
}
