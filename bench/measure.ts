import type { RunResult } from './scenario.js';

const MIB = 2 ** 20;

/** Runs a full collection; the harness always starts children with `--expose-gc`. */
export function collectGarbage(): void {
  if (globalThis.gc === undefined) {
    throw new Error('The benchmark needs --expose-gc: run it through `npm run bench`.');
  }
  globalThis.gc();
}

/** What `measure` found: the body's own value and the figures of a `RunResult`. */
export interface Measured<T> {
  readonly value: T;
  readonly ms: number;
  readonly peakRssDeltaMb: number;
  readonly heapUsedDeltaMb: number;
}

/**
 * Times `body` from its first statement to its settlement, after a full gc, and reads the
 * process's peak RSS at the end. The peak is process-wide, so measure once per fresh process.
 */
export async function measure<T>(body: () => Promise<T>): Promise<Measured<T>> {
  collectGarbage();
  const rssBefore = process.memoryUsage.rss();
  const heapBefore = process.memoryUsage().heapUsed;
  const start = performance.now();
  const value = await body();
  const ms = performance.now() - start;
  const heapAfter = process.memoryUsage().heapUsed;
  const maxRss = process.resourceUsage().maxRSS * 1024;
  return {
    value,
    ms,
    peakRssDeltaMb: Math.max(0, maxRss - rssBefore) / MIB,
    heapUsedDeltaMb: (heapAfter - heapBefore) / MIB,
  };
}

/** Packs a measurement into the result the worker reports. */
export function toRunResult(
  measured: Measured<unknown>,
  tasks: number,
  extra?: Readonly<Record<string, number>>,
): RunResult {
  const { ms, peakRssDeltaMb, heapUsedDeltaMb } = measured;
  return extra === undefined
    ? { tasks, ms, peakRssDeltaMb, heapUsedDeltaMb }
    : { tasks, ms, peakRssDeltaMb, heapUsedDeltaMb, extra };
}

/** Holds what `retainedBytesPer` measures, so no gc frees it before it is counted. */
const anchors: unknown[] = [];

/**
 * Heap bytes that `create` leaves reachable, per unit: gc, call `create`, keep what it returns
 * alive, gc again, and divide the growth of the heap used by `count`.
 */
export function retainedBytesPer(count: number, create: () => unknown): number {
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  anchors.push(create());
  collectGarbage();
  const after = process.memoryUsage().heapUsed;
  anchors.length = 0;
  return (after - before) / count;
}
