import type { GraphRunner } from './graph-runner.js';

/** Makes a fresh runner; one per measured run. */
export type RunnerFactory = () => GraphRunner<unknown>;

/**
 * Every graph runner by variant name, as the scenarios and the table name them. Loaded on
 * demand, so a child process loads only the library it measures.
 */
const loaders: Readonly<Record<string, () => Promise<RunnerFactory>>> = {
  smqsched: async () => {
    const { SmqschedRunner } = await import('./smqsched.js');
    return () => new SmqschedRunner();
  },
  'p-graph': async () => {
    const { PGraphRunner } = await import('./p-graph.js');
    return () => new PGraphRunner();
  },
  'async.auto': async () => {
    const { AsyncAutoRunner } = await import('./async-auto.js');
    return () => new AsyncAutoRunner();
  },
  promises: async () => {
    const { PromiseGraphRunner } = await import('./promises.js');
    return () => new PromiseGraphRunner();
  },
  'p-limit': async () => {
    const { PLimitRunner } = await import('./p-limit.js');
    return () => new PLimitRunner();
  },
  'p-queue': async () => {
    const { PQueueRunner } = await import('./p-queue.js');
    return () => new PQueueRunner();
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
