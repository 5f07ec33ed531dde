import { IndexError, StreamCountError } from '../errors.js';
import { TaskNode } from './task-node.js';

/**
 * One item of a generator task's stream, as a node of the graph: it waits on the generator
 * task (so the dispatch walk follows a task that needs item i into the generator) and is done
 * the moment the generator yields item i. It never runs and is not counted as a task.
 */
export class ItemNode extends TaskNode {
  /** The item's index in the stream. */
  readonly index: number;

  constructor(source: TaskNode, index: number) {
    super(source.id, `${source.name}[${index}]`, source.queue, undefined, undefined, false, [
      source,
    ]);
    this.index = index;
  }
}

/**
 * What a generator task has yielded so far, and the item nodes asked for with `at(i)`.
 *
 * Invariant: an item node with `index < values.length` is done with `values[index]`; one past
 * the end is waiting while the generator has not settled, and failed or cancelled after.
 */
export class StreamState {
  /** The count declared by `fn.numberOfResults`, if any. */
  readonly declared: number | undefined;
  /** The values yielded so far, in order. */
  readonly values: unknown[] = [];
  /** Item nodes by index, made on demand. */
  items: ItemNode[] | undefined;
  /** Set when the generator yielded more than its declared count. */
  surplus = false;
  /**
   * How many items the running attempt has still to yield again before it yields new ones: a
   * retried generator starts over, and the items its earlier attempts delivered are skipped.
   */
  replay = 0;
  #wake: (() => void)[] = [];

  constructor(declared: number | undefined) {
    this.declared = declared;
  }

  /** The node of item `index` of `source`'s stream, made (and settled, if it can be) on demand. */
  item(source: TaskNode, index: number): ItemNode {
    this.items ??= [];
    const known = this.items[index];
    if (known !== undefined) return known;
    const node = new ItemNode(source, index);
    this.items[index] = node;
    if (index < this.values.length) {
      node.status = 'done';
      node.outcome = this.values[index];
    } else if (source.status === 'done' || source.outcome instanceof StreamCountError) {
      node.status = 'failed';
      node.outcome = new IndexError(source, index, this.values.length);
    } else if (source.status === 'failed' || source.status === 'cancelled') {
      node.status = source.status;
      node.outcome = source.outcome;
    }
    return node;
  }

  /** The item nodes not yet settled, from `from` on. */
  *pendingItems(from: number): Generator<ItemNode> {
    const items = this.items;
    if (items === undefined) return;
    for (let i = from; i < items.length; i++) {
      const node = items[i];
      if (node !== undefined && node.status === 'waiting') yield node;
    }
  }

  /** Calls `listener` once, at the next item or at the end of the stream. */
  onChange(listener: () => void): void {
    this.#wake.push(listener);
  }

  /** Wakes the `onChange` listeners. */
  changed(): void {
    if (this.#wake.length === 0) return;
    const wake = this.#wake;
    this.#wake = [];
    for (const listener of wake) listener();
  }
}
