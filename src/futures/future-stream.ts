import { describeValue } from '../errors.js';
import type { StreamState } from '../graph/stream-state.js';
import type { TaskNode } from '../graph/task-node.js';
import { isSettled } from '../graph/task-status.js';
import { Future, nodeOf } from './future.js';

function streamOf(node: TaskNode): StreamState {
  return node.stream as StreamState;
}

/**
 * The items of a generator task, as they are yielded. Awaiting it (or passing it whole as an
 * argument) gives the array of all items once the generator ends; `at(i)` gives item i as a
 * future of its own, usable as an argument at once: a task that needs it starts the moment
 * item i is yielded, while the generator goes on.
 *
 * @typeParam T - the type of the items.
 *
 * @example
 * ```ts
 * function* squares(n: number) { for (let i = 0; i < n; i++) yield i * i; }
 * squares.numberOfResults = (n: number) => n;
 * const s = Q.submit(squares, 10);
 * const first = Q.submit((v: number) => v + 1, s.at(0)); // runs after the first yield
 * for await (const v of s) console.log(v);
 * ```
 */
export class FutureStream<T> extends Future<T[]> implements AsyncIterable<T> {
  /**
   * Item `index` of the stream, as a future. If the generator ends with fewer items, it fails
   * with `IndexError`; if the generator fails or is cancelled first, it takes its error. Any
   * index costs the same: asking for item 10^15 of a 3-item stream fails it with `IndexError`
   * when the stream ends, as item 3 would. `-0` is item 0.
   *
   * @throws TypeError if `index` is not a number; RangeError if it is not an integer from 0 up
   *   to 2^53 - 1 (`Number.MAX_SAFE_INTEGER`): negative, fractional, `NaN`, infinite, or so
   *   large that it stands for several integers at once.
   */
  at(index: number): Future<T> {
    if (typeof index !== 'number') {
      throw new TypeError(
        `Expected the index given to at() of task ${this.id} (${this.name}) to be a number, got ${describeValue(index)}. Ask for an item by its position: 0 for the first.`,
      );
    }
    if (!Number.isSafeInteger(index) || index < 0) {
      throw new RangeError(
        `Expected the index given to at() of task ${this.id} (${this.name}) to be an integer from 0 up to 2^53 - 1, got ${describeValue(index)}. Ask for an item by its position: 0 for the first.`,
      );
    }
    const node = nodeOf(this);
    // `index + 0` turns -0 into 0, so the item's name and IndexError say 0.
    return new Future<T>(streamOf(node).item(node, index + 0));
  }

  /**
   * The declared count (`fn.numberOfResults`) if any, else the number of items once the
   * generator ended, else `undefined`.
   */
  get length(): number | undefined {
    const node = nodeOf(this);
    const stream = streamOf(node);
    if (stream.declared !== undefined) return stream.declared;
    return isSettled(node.status) ? stream.values.length : undefined;
  }

  /** Every item from the first, in order, as they are produced; throws the generator's error. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    const node = nodeOf(this);
    const stream = streamOf(node);
    let next = 0;
    return {
      next: async (): Promise<IteratorResult<T>> => {
        for (;;) {
          if (next < stream.values.length)
            return { done: false, value: stream.values[next++] as T };
          if (node.status === 'done') return { done: true, value: undefined };
          if (node.status === 'failed' || node.status === 'cancelled') throw node.outcome;
          stream.watchEnd(node);
          await new Promise<void>((resolve) => stream.onChange(resolve));
        }
      },
    };
  }

  /**
   * The item futures, only for a stream with a declared count: `const [a, b] = stream`.
   *
   * @throws TypeError if the generator declared no `numberOfResults`.
   */
  *[Symbol.iterator](): Iterator<Future<T>> {
    const length = streamOf(nodeOf(this)).declared;
    if (length === undefined) {
      throw new TypeError(
        `Stream ${this.id} (${this.name}) has no declared count, so it cannot be iterated as item futures. Set ${this.name}.numberOfResults, or use at(i) or for await.`,
      );
    }
    for (let i = 0; i < length; i++) yield this.at(i);
  }
}
