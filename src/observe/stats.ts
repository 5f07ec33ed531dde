import { emptyCounts, type QueueState, type StatusCounts } from '../queues/queue-state.js';

/** `sch.stats()`: counts per queue (by name) and over all queues. */
export interface SchedulerStats {
  /**
   * Counts per queue, by queue name (names are unique within a scheduler). A null-prototype
   * object: any name, `__proto__` and `constructor` included, is an own entry, and nothing
   * else is there.
   */
  readonly queues: Record<string, StatusCounts>;
  /** Counts over all queues. */
  readonly total: StatusCounts;
}

/** Copies the queues' counts and sums them. */
export function collectStats(queues: readonly QueueState[]): SchedulerStats {
  const total = emptyCounts();
  const byName = Object.create(null) as Record<string, StatusCounts>;
  for (const queue of queues) {
    const counts = { ...queue.counts };
    byName[queue.name] = counts;
    for (const key of Object.keys(total) as (keyof StatusCounts)[]) total[key] += counts[key];
  }
  return { queues: byName, total };
}
