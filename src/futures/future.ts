import { NotReadyError } from '../errors.js';
import type { TaskNode } from '../graph/task-node.js';
import { isSettled, type TaskStatus } from '../graph/task-status.js';
import { RunningTaskInfo, taskStorage } from '../scheduler/current-task.js';

/** Reads a future's task node. Internal to smqsched: set once by `Future`'s static block. */
export let nodeOf: (future: Future<unknown>) => TaskNode;

/**
 * The value a task will produce. Pass it as an argument to later tasks to make them depend on
 * it; `await` it, or call `result()` once it has finished.
 *
 * A failed future that nobody awaits never causes an unhandled rejection: no promise exists
 * until `then` is called.
 *
 * @typeParam T - the task's value.
 */
export class Future<T> implements PromiseLike<T> {
  readonly #node: TaskNode;

  static {
    nodeOf = (future) => future.#node;
  }

  /** @internal Futures are made by `Queue.submit`, never by users. */
  constructor(node: TaskNode) {
    this.#node = node;
  }

  /** The task's id, unique within its scheduler. */
  get id(): number {
    return this.#node.id;
  }

  /** The task's name. */
  get name(): string {
    return this.#node.name;
  }

  /** Where the task is in its life: waiting, ready, running, done, failed or cancelled. */
  get status(): TaskStatus {
    return this.#node.status;
  }

  /**
   * The task's value.
   *
   * @throws the task's error if it failed or was cancelled.
   * @throws {@link NotReadyError} if it has not finished.
   */
  result(): T {
    const node = this.#node;
    if (node.status === 'done') return node.outcome as T;
    if (node.status === 'failed' || node.status === 'cancelled') throw node.outcome;
    throw new NotReadyError(node, node.status);
  }

  /** Makes the future awaitable: settles with the task's value or error. */
  // biome-ignore lint/suspicious/noThenProperty: a Future is PromiseLike by design.
  then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    const node = this.#node;
    if (!isSettled(node.status)) {
      // Awaited inside a running task: its scheduler counts the task as waiting on this one.
      const info = taskStorage.getStore();
      if (info instanceof RunningTaskInfo) info.watcher?.awaiting(info, this);
    }
    const settled = new Promise<T>((resolve, reject) => {
      node.onSettle((node) => {
        if (node.status === 'done') resolve(node.outcome as T);
        else reject(node.outcome);
      });
    });
    return settled.then(onFulfilled, onRejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<R = never>(onRejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.then(undefined, onRejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onFinally?: (() => void) | null): Promise<T> {
    return this.then().finally(onFinally);
  }

  /** @internal */
  get [Symbol.toStringTag](): string {
    return `Future ${this.#node.id} (${this.#node.name}): ${this.#node.status}`;
  }
}
