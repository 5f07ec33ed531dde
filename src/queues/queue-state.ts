import type { Executor } from '../executors/executor.js';
import { ReadyHeap } from '../graph/ready-heap.js';

/** How many tasks of a queue (or of all queues) are in each state. */
export interface StatusCounts {
  waiting: number;
  ready: number;
  running: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** An all-zero `StatusCounts`. */
export function emptyCounts(): StatusCounts {
  return { waiting: 0, ready: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
}

/**
 * The runtime state of one queue: its slots, its ready tasks in dispatch order, and its counts.
 * Independent of where the tasks run (that is the executor's job).
 *
 * Invariant: `counts.running <= concurrency`, and `counts.ready === heap.size`.
 */
export class QueueState {
  /** The scheduler engine the queue belongs to (futures must not cross schedulers). */
  readonly owner: object;
  readonly name: string;
  readonly concurrency: number;
  readonly executor: Executor;
  readonly heap = new ReadyHeap();
  readonly counts: StatusCounts = emptyCounts();

  constructor(owner: object, name: string, concurrency: number, executor: Executor) {
    this.owner = owner;
    this.name = name;
    this.concurrency = concurrency;
    this.executor = executor;
  }

  /** True if a task may start now. */
  hasFreeSlot(): boolean {
    return this.counts.running < this.concurrency;
  }
}
