import type { TaskNode } from '../graph/task-node.js';
import type { ReadyLane } from './order-policy.js';

/**
 * The ready tasks of one lane, in the order `before` gives (for `NewestFirst`, the rank).
 *
 * Two parts:
 * - a stack of tasks that were ready when submitted. Under the newest-first order a new
 *   submission always ranks first (it is the newest), so pushing it on top keeps the stack
 *   sorted, best on top, in O(1). This is the common case for independent tasks and for the
 *   leaves of a graph. (Orders without that property pass `stackSubmitted: false`.)
 * - a binary min-heap for every other ready task (a task made ready by a completion, or one
 *   whose rank a later walk improved), in O(log n).
 *
 * `heapIndex` records where a node is: `i >= 0` at heap slot i; `-2 - i` at stack slot i;
 * `-1` in neither. A stacked task whose rank improves moves to the heap; its old stack slot
 * becomes stale and is skipped when reached (a task is stacked at most once, at submission).
 *
 * Invariants: `heap[i].heapIndex === i`; the live stack entries are sorted, best on top;
 * `size` counts live entries of both parts.
 */
export class ReadyHeap implements ReadyLane {
  readonly #before: (a: TaskNode, b: TaskNode) => boolean;
  readonly #stackSubmitted: boolean;
  readonly #heap: TaskNode[] = [];
  readonly #stack: TaskNode[] = [];
  #size = 0;

  /**
   * `before(a, b)`: true if `a` comes first. `stackSubmitted`: a task ready at its submission
   * comes before every ready task (true for the newest-first order).
   */
  constructor(before: (a: TaskNode, b: TaskNode) => boolean, stackSubmitted = true) {
    this.#before = before;
    this.#stackSubmitted = stackSubmitted;
  }

  get size(): number {
    return this.#size;
  }

  /** The first ready task in the dispatch order, if any. */
  peek(): TaskNode | undefined {
    const top = this.#stackTop();
    const head = this.#heap[0];
    if (top === undefined) return head;
    if (head === undefined) return top;
    return this.#before(top, head) ? top : head;
  }

  /** Adds a task that became ready; one `submitted` ready goes on the stack, if stacking. */
  push(node: TaskNode, submitted: boolean): void {
    if (submitted && this.#stackSubmitted) {
      node.heapIndex = -2 - this.#stack.length;
      this.#stack.push(node);
      this.#size++;
      return;
    }
    node.heapIndex = this.#heap.length;
    this.#heap.push(node);
    this.#size++;
    this.#up(node.heapIndex);
  }

  /** Restores the order after `node`'s rank moved earlier. */
  improved(node: TaskNode): void {
    if (node.heapIndex >= 0) {
      this.#up(node.heapIndex);
    } else if (node.heapIndex < -1) {
      // Leaves a stale slot in the stack; the heap takes the task with its new rank.
      this.#size--;
      this.push(node, false);
    }
  }

  /** Removes and returns the first task. */
  pop(): TaskNode | undefined {
    const node = this.peek();
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Removes `node`, wherever it is. */
  remove(node: TaskNode): void {
    const at = node.heapIndex;
    if (at === -1) return;
    this.#size--;
    node.heapIndex = -1;
    if (at < -1) {
      // A stacked task: its slot goes stale; drop stale slots from the top at once.
      this.#stackTop();
      return;
    }
    const heap = this.#heap;
    const last = heap.pop() as TaskNode;
    if (last === node) return;
    heap[at] = last;
    last.heapIndex = at;
    this.#up(at);
    this.#down(last.heapIndex);
  }

  /** Re-sorts every ready task after ranks changed arbitrarily (a re-ranking). */
  rebuild(): void {
    const nodes = this.nodes();
    this.#stack.length = 0;
    this.#heap.length = 0;
    for (const node of nodes) {
      node.heapIndex = this.#heap.length;
      this.#heap.push(node);
    }
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) this.#down(i);
  }

  /** Every ready task, in no particular order. */
  nodes(): TaskNode[] {
    const live = this.#stack.filter((node, i) => node.heapIndex === -2 - i);
    return live.concat(this.#heap);
  }

  /** The live top of the stack, after dropping stale slots above it. */
  #stackTop(): TaskNode | undefined {
    const stack = this.#stack;
    let i = stack.length - 1;
    while (i >= 0 && (stack[i] as TaskNode).heapIndex !== -2 - i) i--;
    if (i < stack.length - 1) stack.length = i + 1;
    return stack[i];
  }

  #up(start: number): void {
    const heap = this.#heap;
    const node = heap[start] as TaskNode;
    let at = start;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = heap[parentAt] as TaskNode;
      if (!this.#before(node, parent)) break;
      heap[at] = parent;
      parent.heapIndex = at;
      at = parentAt;
    }
    heap[at] = node;
    node.heapIndex = at;
  }

  #down(start: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const node = heap[start] as TaskNode;
    let at = start;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && this.#before(heap[right] as TaskNode, heap[left] as TaskNode)) child = right;
      const best = heap[child] as TaskNode;
      if (!this.#before(best, node)) break;
      heap[at] = best;
      best.heapIndex = at;
      at = child;
    }
    heap[at] = node;
    node.heapIndex = at;
  }
}
