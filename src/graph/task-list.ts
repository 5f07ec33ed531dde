import type { TaskNode } from './task-node.js';

/**
 * A list of tasks in the order they were added, intrusive through `TaskNode.older` /
 * `TaskNode.newer`: O(1) to add and to remove, no allocation. A task is in at most one list
 * at a time: the scheduler's list of unstarted tasks (in submission order) until it starts,
 * then its queue's list of occupants (running, or holding a slot) until its slot is free.
 * Lists hold only such live tasks, so they keep nothing finished alive.
 */
export class TaskList {
  #newest: TaskNode | undefined;
  #size = 0;

  /** Adds `node` as the newest. */
  add(node: TaskNode): void {
    node.older = this.#newest;
    if (this.#newest !== undefined) this.#newest.newer = node;
    this.#newest = node;
    this.#size++;
  }

  /** Adds `node` at its place by id (submission order); O(distance from the newest end). */
  insertById(node: TaskNode): void {
    let newer: TaskNode | undefined;
    let older = this.#newest;
    while (older !== undefined && older.id > node.id) {
      newer = older;
      older = older.older;
    }
    if (newer === undefined) {
      this.add(node);
      return;
    }
    node.newer = newer;
    node.older = older;
    newer.older = node;
    if (older !== undefined) older.newer = node;
    this.#size++;
  }

  /** Removes `node`, which must be in this list. */
  remove(node: TaskNode): void {
    const { older, newer } = node;
    if (newer === undefined && this.#newest !== node) return; // not in this list
    if (older !== undefined) older.newer = newer;
    if (newer !== undefined) newer.older = older;
    else this.#newest = older;
    node.older = undefined;
    node.newer = undefined;
    this.#size--;
  }

  /** The newest task; follow `older` for the rest. */
  get newest(): TaskNode | undefined {
    return this.#newest;
  }

  get size(): number {
    return this.#size;
  }

  /** The tasks, newest first. */
  *[Symbol.iterator](): Generator<TaskNode> {
    for (let node = this.#newest; node !== undefined; node = node.older) yield node;
  }
}
