import { type TaskInfo, taskStorage } from '../scheduler/current-task.js';

/** Receives each yielded item; returns false to stop the generator (a surplus item). */
export type ItemSink = (value: unknown) => boolean;

/** How long a synchronous generator may run before it gives the event loop back. */
const SLICE_MS = 4;

function step(iterator: Iterator<unknown> | AsyncIterator<unknown>): unknown {
  return iterator.next();
}

function isAsyncIterator(value: object): value is AsyncIterator<unknown> {
  return typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/**
 * Runs a generator object to its end, handing each item to `sink` as it is yielded, with the
 * task's `currentTask()` context around every step. A synchronous generator runs in slices of a
 * few milliseconds and gives the event loop back between them, so tasks that need its early
 * items run while it goes on. Resolves when the generator returns; rejects if it throws.
 */
export function driveGenerator(
  generator: Iterator<unknown> | AsyncIterator<unknown>,
  info: TaskInfo,
  sink: ItemSink,
): Promise<void> {
  if (isAsyncIterator(generator)) return driveAsync(generator, info, sink);
  return new Promise<void>((resolve, reject) => {
    const slice = (): void => {
      const deadline = performance.now() + SLICE_MS;
      try {
        for (;;) {
          const next = taskStorage.run(info, step, generator) as IteratorResult<unknown>;
          if (next.done) {
            resolve();
            return;
          }
          if (!sink(next.value)) {
            generator.return?.();
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
  sink: ItemSink,
): Promise<void> {
  for (;;) {
    const next = await (taskStorage.run(info, step, generator) as Promise<IteratorResult<unknown>>);
    if (next.done) return;
    if (!sink(next.value)) {
      await generator.return?.();
      return;
    }
  }
}
