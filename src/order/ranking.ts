import { isUnstarted, type TaskNode } from '../graph/task-node.js';

/**
 * The result-first dispatch order (API.md section 5), kept as a rank per task.
 *
 * The rule: walk the unfinished tasks from the newest to the oldest; follow a task that still
 * waits into its dependencies, depth-first, in argument order; start the first task found whose
 * dependencies are all finished and whose queue can take it. For the seed example
 *
 * ```
 *   A99 ──> B99 ──┬──> C9999        submitted: A0 B0 A1 B1 ... A99 B99, then C0 ... C9999
 *                 ├──> C9998 <── B98 <── A98
 *                 └──> ...
 * ```
 *
 * the walk meets C9999, B99, A99, C9998, B98, A98, ... so one slot starts A99, B99, C9999,
 * A98, B98, C9998: the newest results first.
 *
 * Two facts (docs/ordering.md proves them) let us keep the order without ever re-walking:
 *
 * 1. Between submissions the order is a fixed ranking: the first-visit order of one full
 *    walk. Finished tasks never hide or reorder unfinished ones, so on every event the
 *    scheduler starts, per queue, the ready task of lowest rank (a heap per queue).
 * 2. Submitting task T moves T, then T's not-yet-started ancestry in depth-first order, to the
 *    front; all other tasks keep their relative order.
 *
 * So a rank is a pair (epoch, pos): each submission opens a new, highest epoch, and its walk
 * numbers T and the unstarted tasks it reaches 0, 1, 2, ... in that epoch. A walk stops at
 * tasks that have started and at tasks it has already numbered, so its cost is the size of T's
 * unstarted ancestry, never the number of finished tasks.
 *
 * The chain shortcut: when the first task T's walk would reach is the head of the newest epoch
 * (the previous submission, still unstarted), that epoch already holds exactly that task's
 * unstarted ancestry in walk order. T then joins the epoch in front of it (position min - 1)
 * and the walk goes on only for T's other dependencies, appended at the end of the epoch. A
 * chain built before `start()` (each task takes the previous one's future) so costs O(1) per
 * submission instead of the chain's length.
 */
export class Ranking {
  /**
   * Set when a cancellation removed a waiting task through which the walk reached unstarted
   * tasks: fact 1 then no longer holds for them, and the ranks must be rebuilt by `rerank`.
   */
  dirty = false;
  #epoch = 0;
  #minPos = 0;
  #maxPos = 0;
  /** The task at the front of the newest epoch, while it has not started. */
  #head: TaskNode | undefined;
  /** The walk's stack, kept between walks to spare allocations. */
  readonly #stack: TaskNode[] = [];

  /**
   * Gives the newly submitted `node` the first rank and moves its unstarted ancestry behind it.
   * `moved` is called for each already-ready task whose rank improved (so its heap can update).
   */
  place(node: TaskNode, moved: (node: TaskNode) => void): void {
    const deps = node.deps;
    let from = 0;
    const head = this.#head;
    if (deps !== undefined && head !== undefined && isUnstarted(head)) {
      while (from < deps.length && !isUnstarted(deps[from] as TaskNode)) from++;
      if (deps[from] === head) {
        // Chain shortcut: head's epoch already is head's ancestry in walk order.
        node.epoch = this.#epoch;
        node.pos = --this.#minPos;
        this.#head = node;
        this.#walk(deps, from + 1, moved);
        return;
      }
    }
    this.#epoch++;
    this.#minPos = 0;
    this.#maxPos = 0;
    node.epoch = this.#epoch;
    node.pos = 0;
    this.#head = node;
    if (deps !== undefined) this.#walk(deps, 0, moved);
  }

  /** Forgets `node` as the chain head once it has started (so nothing finished is kept). */
  started(node: TaskNode): void {
    if (this.#head === node) this.#head = undefined;
  }

  /**
   * Ranks every unstarted task afresh with one full walk, newest first (`newest` and its
   * `older` links): the rule itself, run once. Costs O(unstarted tasks); needed only after a
   * cancellation that cut a path of the walk (see `dirty`). The caller rebuilds the heaps.
   */
  rerank(newest: TaskNode | undefined): void {
    this.dirty = false;
    this.#epoch++;
    this.#minPos = 0;
    this.#maxPos = -1;
    this.#head = undefined;
    for (let task = newest; task !== undefined; task = task.older) {
      if (task.epoch !== this.#epoch) this.#walk([task], 0, ignore);
    }
  }

  /** Numbers, depth-first, the unstarted tasks reachable from `deps[from..]` not yet in the epoch. */
  #walk(deps: readonly TaskNode[], from: number, moved: (node: TaskNode) => void): void {
    const stack = this.#stack;
    const epoch = this.#epoch;
    for (let i = deps.length - 1; i >= from; i--) stack.push(deps[i] as TaskNode);
    while (stack.length > 0) {
      const task = stack.pop() as TaskNode;
      if (task.epoch === epoch || !isUnstarted(task)) continue;
      task.epoch = epoch;
      task.pos = ++this.#maxPos;
      if (task.status === 'ready') {
        moved(task);
      } else if (task.deps !== undefined) {
        const taskDeps = task.deps;
        for (let i = taskDeps.length - 1; i >= 0; i--) {
          const dep = taskDeps[i] as TaskNode;
          if (dep.epoch !== epoch && isUnstarted(dep)) stack.push(dep);
        }
      }
    }
  }
}

function ignore(_node: TaskNode): void {}
