import { AsyncLocalStorage } from 'node:async_hooks';

/** What a running task can learn of itself through `currentTask()`. */
export interface TaskInfo {
  /** The task's id, unique within its scheduler. */
  readonly id: number;
  /** The task's name. */
  readonly name: string;
  /** 0 for the first run, 1 for the first retry, ... */
  readonly attempt: number;
  /** Aborted when the task is cancelled or times out while running. */
  readonly signal: AbortSignal;
}

/** Told when a running task is aborted: an executor passing the abort on to a worker. */
export interface AbortReceiver {
  taskAborted(reason: unknown): void;
}

/** Told when a running task awaits a future (`awaiting`), to see deadlocks through awaits. */
export interface AwaitWatcher {
  awaiting(info: RunningTaskInfo, future: object): void;
}

/** A `TaskInfo` whose AbortController is made only if someone asks for the signal. */
export class RunningTaskInfo implements TaskInfo {
  readonly id: number;
  readonly name: string;
  readonly attempt: number;
  /** The scheduler running the task, told of the futures the task awaits. */
  watcher: AwaitWatcher | undefined;
  /** How many unsettled futures of its scheduler the task awaits now. */
  awaitCount = 0;
  /** The last future it began to await (for deadlock reports). */
  awaited: object | undefined;
  /** Set when the attempt's function returned: later awaits and settlements count for nothing. */
  ended = false;
  /**
   * Set by an executor that passes aborts on (to a worker); told on `abort`. Cheaper than a
   * listener on `signal`, which would make an AbortController for every task.
   */
  receiver: AbortReceiver | undefined;
  #controller: AbortController | undefined;

  constructor(id: number, name: string, attempt: number) {
    this.id = id;
    this.name = name;
    this.attempt = attempt;
  }

  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** Aborts the task's signal with `reason`. */
  abort(reason: unknown): void {
    this.#controller ??= new AbortController();
    this.#controller.abort(reason);
    this.receiver?.taskAborted(reason);
  }
}

/** Carries the running task's info through its synchronous and asynchronous code. */
export const taskStorage = new AsyncLocalStorage<TaskInfo>();

/**
 * The task whose code is running now, or `undefined` outside any task. Works in async
 * functions across `await`, so a long task can watch `currentTask()?.signal` without a
 * parameter for it.
 *
 * @example
 * ```ts
 * Q.submit(async (url: string) => {
 *   const res = await fetch(url, { signal: currentTask()?.signal });
 *   return res.text();
 * }, 'http://localhost:8080/');
 * ```
 */
export function currentTask(): TaskInfo | undefined {
  return taskStorage.getStore();
}
