import type { GraphRunner } from './graph-runner.js';

/**
 * Makes a fresh runner, one per measured run, with a concurrency limit (default
 * `CONCURRENCY`; the naive promise graph has none).
 */
export type RunnerFactory = (concurrency?: number) => GraphRunner<unknown>;

/**
 * Every graph runner by variant name, as the scenarios and the table name them. Loaded on
 * demand, so a child process loads only the library it measures.
 */
const loaders: Readonly<Record<string, () => Promise<RunnerFactory>>> = {
  smqsched: async () => {
    const { SmqschedRunner } = await import('./smqsched.js');
    return (concurrency) => new SmqschedRunner(concurrency);
  },
  'p-graph': async () => {
    const { PGraphRunner } = await import('./p-graph.js');
    return (concurrency) => new PGraphRunner(concurrency);
  },
  'async.auto': async () => {
    const { AsyncAutoRunner } = await import('./async-auto.js');
    return (concurrency) => new AsyncAutoRunner(concurrency);
  },
  promises: async () => {
    const { PromiseGraphRunner } = await import('./promises.js');
    return () => new PromiseGraphRunner();
  },
  'p-limit': async () => {
    const { PLimitRunner } = await import('./p-limit.js');
    return (concurrency) => new PLimitRunner(concurrency);
  },
  'p-queue': async () => {
    const { PQueueRunner } = await import('./p-queue.js');
    return (concurrency) => new PQueueRunner(concurrency);
  },
};

/** Loads the runner of a variant. */
export function loadRunner(variant: string): Promise<RunnerFactory> {
  const loader = loaders[variant];
  if (loader === undefined) {
    const known = Object.keys(loaders).join(', ');
    throw new RangeError(`No graph runner named '${variant}'; known: ${known}.`);
  }
  return loader();
}
