import type { Future } from './future.js';

/**
 * What may be passed where a task expects a `T`: the value, a future of it, or (for plain
 * arrays and objects) the same shape with futures inside, at any depth.
 */
export type Arg<T> =
  | T
  | Future<T>
  | (T extends readonly unknown[]
      ? { [K in keyof T]: Arg<T[K]> }
      : T extends (...args: never[]) => unknown
        ? never
        : T extends object
          ? { [K in keyof T]: Arg<T[K]> }
          : never);

/** The arguments of a task whose function takes `A`, each maybe a future (see `Arg`). */
export type Args<A extends readonly unknown[]> = { [K in keyof A]: Arg<A[K]> };
