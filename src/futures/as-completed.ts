import type { Future } from './future.js';
import { nodeOf } from './future.js';

/**
 * Yields the given futures in the order they settle (done, failed or cancelled), so each
 * result can be used the moment it exists (Dask's `as_completed`). Futures that have already
 * settled come first, in the order given. Yielding a failed future does not throw: call
 * `result()` on it to get its error.
 *
 * @example
 * ```ts
 * for await (const c of asCompleted(C)) show(c.result());
 * ```
 */
export async function* asCompleted<F extends Future<unknown>>(
  futures: Iterable<F>,
): AsyncGenerator<F, void, undefined> {
  const settled: F[] = [];
  let wake: (() => void) | undefined;
  let total = 0;
  for (const future of futures) {
    total++;
    nodeOf(future).onSettle(() => {
      settled.push(future);
      wake?.();
    });
  }
  for (let yielded = 0; yielded < total; ) {
    if (yielded < settled.length) {
      yield settled[yielded++] as F;
    } else {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  }
}
