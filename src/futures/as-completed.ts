import { describeValue } from '../errors.js';
import type { TaskNode } from '../graph/task-node.js';
import type { Future } from './future.js';
import { nodeOf } from './future.js';

/**
 * A future that `asCompleted` yields: the very `Future` object, typed without its promise
 * methods. TypeScript types a `for await` variable as the awaited element, so a thenable
 * element type would read as its value, while the loop really gets the future.
 */
export type SettledFuture<F extends Future<unknown>> = Omit<F, 'then' | 'catch' | 'finally'>;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** The futures of `futures` with their task nodes, read once; throws before anything is kept. */
function readList<F extends Future<unknown>>(futures: Iterable<F>): [F, TaskNode][] {
  if (
    futures === null ||
    futures === undefined ||
    typeof (futures as Partial<Iterable<F>>)[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(
      `Expected asCompleted() to be given an iterable of futures (an array such as [a, b]), got ${describeValue(futures)}.`,
    );
  }
  const list: [F, TaskNode][] = [];
  for (const future of futures) {
    let node: TaskNode;
    try {
      node = nodeOf(future);
    } catch {
      throw new TypeError(
        `Expected asCompleted() to be given futures, got ${describeValue(future)} at index ${list.length}. Pass the futures that submit() and at() return.`,
      );
    }
    list.push([future, node]);
  }
  return list;
}

/**
 * Yields the given futures in the order they settle (done, failed or cancelled), so each
 * result can be used the moment it exists (Dask's `as_completed`). Futures that have already
 * settled come first, in the order given. Yielding a failed future does not throw: call
 * `result()` on it to get its error.
 *
 * The list is read once, at the call: changing it later changes nothing. A future given twice
 * is yielded twice. `next()` calls made while earlier ones still wait each get the next future
 * to settle, in the order they were called; calls beyond the number of futures end at once.
 * `return()` and `throw(error)` end the iteration: every `next()` still waiting ends
 * (`done: true`) and futures that settle later are not yielded; `throw` then rejects with
 * `error`.
 *
 * It is a hand-made async iterator rather than an async generator on purpose: an async
 * generator awaits what it yields, and a `Future` is thenable, so it would yield values (and
 * throw errors) instead of futures.
 *
 * @throws TypeError if `futures` is not iterable, or holds something that is not a future.
 *
 * @example
 * ```ts
 * for await (const c of asCompleted(C)) show(c.result());
 * ```
 */
export function asCompleted<F extends Future<unknown>>(
  futures: Iterable<F>,
): AsyncIterableIterator<SettledFuture<F>> {
  const list = readList(futures);
  /** Settled futures no `next()` has taken yet, from `head` on. */
  let settled: (F | undefined)[] = [];
  let head = 0;
  /** `next()` calls waiting for a future, first called first. */
  let waiting: ((result: IteratorResult<F, undefined>) => void)[] = [];
  /** Futures not yet promised to a `next()` call. */
  let unclaimed = list.length;
  let closed = false;

  const settle = (future: F): void => {
    if (closed) return;
    const waiter = waiting.shift();
    if (waiter !== undefined) waiter({ done: false, value: future });
    else settled.push(future);
  };
  const close = (): void => {
    closed = true;
    settled = [];
    const ended = waiting;
    waiting = [];
    for (const waiter of ended) waiter(DONE);
  };
  for (const [future, node] of list) node.onSettle(() => settle(future));

  const iterator: AsyncIterableIterator<SettledFuture<F>> = {
    next(): Promise<IteratorResult<F, undefined>> {
      if (closed || unclaimed === 0) return Promise.resolve(DONE);
      unclaimed--;
      if (head < settled.length) {
        const future = settled[head] as F;
        settled[head++] = undefined;
        if (head === settled.length) {
          settled = [];
          head = 0;
        }
        return Promise.resolve({ done: false, value: future });
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    return(): Promise<IteratorResult<F, undefined>> {
      close();
      return Promise.resolve(DONE);
    },
    throw(error?: unknown): Promise<IteratorResult<F, undefined>> {
      close();
      return Promise.reject(error);
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
