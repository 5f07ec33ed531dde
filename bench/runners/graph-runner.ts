/**
 * One way of running a task graph, behind a common face so that a scenario states its shape
 * once and every library runs the same graph. Handles (`H`) are what the library gives back
 * for a task: a Future, a promise, a node id.
 */

/** A trivial synchronous task: the benchmarks measure scheduling, not work. */
export type TaskFn = (...args: number[]) => number;

/** The concurrency every variant gets where the library has a limit. */
export const CONCURRENCY = 8;

export interface GraphRunner<H> {
  /** Adds a task that runs `fn` with the values of `deps`, in order. */
  task(fn: TaskFn, ...deps: H[]): H;
  /** Runs every task added so far; settles when all have finished. */
  run(): Promise<void>;
  /** The value of a finished task (read after `run`, outside the timed region). */
  read(handle: H): number | Promise<number>;
}

/** Thrown by runners that only take independent tasks (p-limit, p-queue). */
export function refuseDependencies(library: string): never {
  throw new TypeError(`${library} has no task dependencies: use it for independent tasks only.`);
}
