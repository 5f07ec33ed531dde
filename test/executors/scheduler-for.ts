import { Queue, Scheduler, type WorkerOptions } from '../../src/index.js';
import type { ExecutorFactory } from './conformance.js';

/** A scheduler with one queue on a fresh executor, closed after `body` however it ends. */
export async function withQueue(
  make: ExecutorFactory,
  concurrency: number,
  body: (Q: Queue, sch: Scheduler) => Promise<void>,
  options?: WorkerOptions,
): Promise<void> {
  const sch = new Scheduler();
  const Q = new Queue(sch, { concurrency, executor: make(options), name: 'work' });
  try {
    await body(Q, sch);
  } finally {
    await sch.close();
  }
}
