/**
 * Test helpers: promises resolved by hand, so tests drive async tasks deterministically.
 */

/** A promise with its resolve and reject functions. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Makes a promise the test settles by hand (Node 20 has no `Promise.withResolvers`). */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Lets the event loop turn `n` times (each turn drains the microtasks first). Used only to
 * give the scheduler the chance to do something it must not do, never to order events.
 */
export async function ticks(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** How a watched promise has settled so far. */
export interface Watched {
  readonly state: 'pending' | 'fulfilled' | 'rejected';
  readonly error: unknown;
}

/** Watches a promise without awaiting it: `state` tells whether it settled yet. */
export function watch(promise: PromiseLike<unknown>): Watched {
  const watched: { state: Watched['state']; error: unknown } = {
    state: 'pending',
    error: undefined,
  };
  promise.then(
    () => {
      watched.state = 'fulfilled';
    },
    (error: unknown) => {
      watched.state = 'rejected';
      watched.error = error;
    },
  );
  return watched;
}
