import type { TaskNode } from './task-node.js';

/**
 * The tasks that have not started (waiting or ready), in submission order, as an intrusive
 * doubly linked list through `TaskNode.older` / `TaskNode.newer`: O(1) to add and to remove,
 * and it never holds a task that has started, so it keeps nothing finished alive.
 *
 * Only a re-ranking after a cancellation reads it (see `Ranking.rerank`).
 */
export class UnstartedList {
  #newest: TaskNode | undefined;

  add(node: TaskNode): void {
    node.older = this.#newest;
    if (this.#newest !== undefined) this.#newest.newer = node;
    this.#newest = node;
  }

  remove(node: TaskNode): void {
    const { older, newer } = node;
    if (older !== undefined) older.newer = newer;
    if (newer !== undefined) newer.older = older;
    else if (this.#newest === node) this.#newest = older;
    node.older = undefined;
    node.newer = undefined;
  }

  /** The newest unstarted task; follow `older` for the rest. */
  get newest(): TaskNode | undefined {
    return this.#newest;
  }
}
