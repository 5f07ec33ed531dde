import { type TaskInfo, taskStorage } from '../scheduler/current-task.js';

/** Receives each yielded item; returns false to stop the generator (a surplus item). */
export type ItemSink = (value: unknown) => boolean;

/** How long a synchronous generator may run before it gives the event loop back. */
const SLICE_MS = 4;

function step(iterator: Iterator<unknown> | AsyncIterator<unknown>): unknown {
  return iterator.next();
}

function finish(iterator: Iterator<unknown> | AsyncIterator<unknown>): unknown {
  return iterator.return?.();
}

function isAsyncIterator(value: object): value is AsyncIterator<unknown> {
  return typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/**
 * Runs a generator object to its end, handing each item to `sink` as it is yielded, with the
 * task's `currentTask()` context around every step. A synchronous generator runs in slices of a
 * few milliseconds and gives the event loop back between them, so tasks that need its early
 * items run while it goes on. Resolves when the generator returns; rejects if it throws.
 *
 * The driver owns the loop, so an aborted task stops even if its generator ignores its
 * signal: once `info.signal` aborts (the user's signal, a timeout), no further item is asked
 * for and the item of the step during which it aborted is not handed on; the generator is
 * closed with `return()` (its `finally` blocks run, in the task's context) and the promise
 * rejects with the abort reason. An async generator whose `next()` is pending when the abort
 * comes is left to settle it first (the attempt keeps its slot until then, as a timed-out
 * function keeps it until it returns). A generator that `sink` refuses is closed the same way
 * and the promise resolves.
 */
export function driveGenerator(
  generator: Iterator<unknown> | AsyncIterator<unknown>,
  info: TaskInfo,
  sink: ItemSink,
): Promise<void> {
  const signal = info.signal;
  if (isAsyncIterator(generator)) return driveAsync(generator, info, signal, sink);
  return new Promise<void>((resolve, reject) => {
    const slice = (): void => {
      const deadline = performance.now() + SLICE_MS;
      try {
        for (;;) {
          // Aborted before this step: between slices (a timeout fires only then), before the
          // first step, or by a listener the sink told of the last item (task:item).
          if (signal.aborted) {
            taskStorage.run(info, finish, generator);
            reject(signal.reason);
            return;
          }
          const next = taskStorage.run(info, step, generator) as IteratorResult<unknown>;
          if (next.done) {
            resolve();
            return;
          }
          if (signal.aborted) {
            taskStorage.run(info, finish, generator);
            reject(signal.reason);
            return;
          }
          if (!sink(next.value)) {
            taskStorage.run(info, finish, generator);
            resolve();
            return;
          }
          if (performance.now() > deadline) {
            setImmediate(slice);
            return;
          }
        }
      } catch (error) {
        reject(error);
      }
    };
    slice();
  });
}

async function driveAsync(
  generator: AsyncIterator<unknown>,
  info: TaskInfo,
  signal: AbortSignal,
  sink: ItemSink,
): Promise<void> {
  for (;;) {
    if (signal.aborted) {
      await taskStorage.run(info, finish, generator);
      throw signal.reason;
    }
    const next = await (taskStorage.run(info, step, generator) as Promise<IteratorResult<unknown>>);
    if (next.done) return;
    if (signal.aborted) {
      await taskStorage.run(info, finish, generator);
      throw signal.reason;
    }
    if (!sink(next.value)) {
      await taskStorage.run(info, finish, generator);
      return;
    }
  }
}
