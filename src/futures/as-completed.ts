import type { Future } from './future.js';
import { nodeOf } from './future.js';

/**
 * A future that `asCompleted` yields: the very `Future` object, typed without its promise
 * methods. TypeScript types a `for await` variable as the awaited element, so a thenable
 * element type would read as its value, while the loop really gets the future.
 */
export type SettledFuture<F extends Future<unknown>> = Omit<F, 'then' | 'catch' | 'finally'>;

/**
 * Yields the given futures in the order they settle (done, failed or cancelled), so each
 * result can be used the moment it exists (Dask's `as_completed`). Futures that have already
 * settled come first, in the order given. Yielding a failed future does not throw: call
 * `result()` on it to get its error.
 *
 * It is a hand-made async iterator rather than an async generator on purpose: an async
 * generator awaits what it yields, and a `Future` is thenable, so it would yield values (and
 * throw errors) instead of futures.
 *
 * @example
 * ```ts
 * for await (const c of asCompleted(C)) show(c.result());
 * ```
 */
export function asCompleted<F extends Future<unknown>>(
  futures: Iterable<F>,
): AsyncIterableIterator<SettledFuture<F>> {
  const settled: F[] = [];
  let wake: (() => void) | undefined;
  let total = 0;
  let yielded = 0;
  for (const future of futures) {
    total++;
    nodeOf(future).onSettle(() => {
      settled.push(future);
      wake?.();
    });
  }
  const iterator: AsyncIterableIterator<SettledFuture<F>> = {
    async next(): Promise<IteratorResult<F, undefined>> {
      if (yielded >= total) return { done: true, value: undefined };
      while (yielded >= settled.length) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      return { done: false, value: settled[yielded++] as F };
    },
    async return(): Promise<IteratorResult<F, undefined>> {
      yielded = total;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
