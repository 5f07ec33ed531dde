import type { TaskNode } from './task-node.js';

/**
 * The ready tasks of one queue, ordered by rank (`TaskNode.precedes`): a binary min-heap that
 * records each node's slot in `heapIndex`, so a node whose rank improves is moved up in
 * O(log n) without a search.
 *
 * Invariant: `items[i].heapIndex === i` for every node in the heap, and `-1` for any node
 * that is not.
 */
export class ReadyHeap {
  readonly #items: TaskNode[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** The first ready task in the dispatch order, if any. */
  peek(): TaskNode | undefined {
    return this.#items[0];
  }

  push(node: TaskNode): void {
    node.heapIndex = this.#items.length;
    this.#items.push(node);
    this.#up(node.heapIndex);
  }

  /** Restores the order after `node`'s rank moved earlier. */
  improved(node: TaskNode): void {
    this.#up(node.heapIndex);
  }

  /** Removes and returns the first task. */
  pop(): TaskNode | undefined {
    const items = this.#items;
    const top = items[0];
    if (top === undefined) return undefined;
    const last = items.pop() as TaskNode;
    top.heapIndex = -1;
    if (last !== top) {
      items[0] = last;
      last.heapIndex = 0;
      this.#down(0);
    }
    return top;
  }

  /** Removes `node`, wherever it is. */
  remove(node: TaskNode): void {
    const items = this.#items;
    const at = node.heapIndex;
    if (at < 0) return;
    const last = items.pop() as TaskNode;
    node.heapIndex = -1;
    if (last === node) return;
    items[at] = last;
    last.heapIndex = at;
    this.#up(at);
    this.#down(last.heapIndex);
  }

  /** Every node in the heap, in no particular order. */
  nodes(): readonly TaskNode[] {
    return this.#items;
  }

  #up(start: number): void {
    const items = this.#items;
    const node = items[start] as TaskNode;
    let at = start;
    while (at > 0) {
      const parentAt = (at - 1) >> 1;
      const parent = items[parentAt] as TaskNode;
      if (!node.precedes(parent)) break;
      items[at] = parent;
      parent.heapIndex = at;
      at = parentAt;
    }
    items[at] = node;
    node.heapIndex = at;
  }

  #down(start: number): void {
    const items = this.#items;
    const n = items.length;
    const node = items[start] as TaskNode;
    let at = start;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && (items[right] as TaskNode).precedes(items[left] as TaskNode)) child = right;
      const best = items[child] as TaskNode;
      if (!best.precedes(node)) break;
      items[at] = best;
      best.heapIndex = at;
      at = child;
    }
    items[at] = node;
    node.heapIndex = at;
  }
}
