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

function byIndex(a: ItemNode, b: ItemNode): number {
  return a.index - b.index;
}

/**
 * What a generator task has yielded so far, and the item nodes asked for with `at(i)`.
 *
 * Invariant: `#items` holds every item node made by `item()`, one per index, so every `at(i)`
 * for one index gives the same node (the same value or error). A node with
 * `index < values.length` is done with `values[index]`; one past the end is waiting while the
 * generator has not settled, and failed or cancelled after. The work of every operation
 * follows the items yielded and the item nodes asked for, never the value of an index: asking
 * for item 10^15 costs what asking for item 3 does.
 */
export class StreamState {
  /** The count declared by `fn.numberOfResults`, if any. */
  readonly declared: number | undefined;
  /** The values yielded so far, in order. */
  readonly values: unknown[] = [];
  /** Item nodes by index, made on demand. */
  readonly #items = new Map<number, ItemNode>();
  /** Set when the generator yielded more than its declared count. */
  surplus = false;
  /**
   * How many items the running attempt has still to yield again before it yields new ones: a
   * retried generator starts over, and the items its earlier attempts delivered are skipped.
   */
  replay = 0;
  #wake: (() => void)[] = [];
  /** Set once the generator task's settling wakes the `onChange` listeners too. */
  #watchingEnd = false;

  constructor(declared: number | undefined) {
    this.declared = declared;
  }

  /**
   * The node of item `index` of `source`'s stream, made (and settled, if it can be) on
   * demand. `index` is a safe integer from 0 up.
   */
  item(source: TaskNode, index: number): ItemNode {
    const known = this.#items.get(index);
    if (known !== undefined) return known;
    const node = new ItemNode(source, index);
    this.#items.set(index, node);
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

  /** The node asked for item `index`, which was just yielded, if any: the caller settles it. */
  yielded(index: number): ItemNode | undefined {
    return this.#items.get(index);
  }

  /**
   * The item nodes not yet settled, from index `from` on, in index order: the stream ended or
   * its task settled, and the caller settles each. Costs the number of item nodes asked for
   * (and sorting the waiting ones), never their indices.
   */
  pendingItems(from: number): ItemNode[] {
    const pending: ItemNode[] = [];
    for (const [index, node] of this.#items) {
      if (index >= from && node.status === 'waiting') pending.push(node);
    }
    return pending.sort(byIndex);
  }

  /** Calls `listener` once, at the next item or at the end of the stream. */
  onChange(listener: () => void): void {
    this.#wake.push(listener);
  }

  /**
   * Makes the settling of `source` (the generator task) wake the `onChange` listeners too,
   * once per stream: a task cancelled before it ran (its signal, a failed dependency) ends
   * its stream without the stream ever being told.
   */
  watchEnd(source: TaskNode): void {
    if (this.#watchingEnd) return;
    this.#watchingEnd = true;
    source.onSettle(() => this.changed());
  }

  /** Wakes the `onChange` listeners. */
  changed(): void {
    if (this.#wake.length === 0) return;
    const wake = this.#wake;
    this.#wake = [];
    for (const listener of wake) listener();
  }
}
