import type { ReadyLane } from '../order/order-policy.js';
import type { Demand } from '../queues/resources.js';
import type { TaskNode } from './task-node.js';

/**
 * The per-task options of a task that has any (`Q.options(...)`), checked and resolved. Tasks
 * without options carry none of this, which keeps the common task record small.
 */
export class TaskSettings {
  /** Resources to take while running (and while holding). */
  demand: Demand | undefined;
  /** The queue's ready lane for tasks with this exact demand. */
  lane: ReadyLane | undefined;
  /** Keep the slot and resources after finishing, until a releaser settles. */
  hold = false;
  /** Set once a task releasing this one has settled: it must not (or no longer) hold. */
  released = false;
  /** True while this task, finished, still holds its slot. */
  holding = false;
  /** Held tasks to free when this task settles. */
  releases: TaskNode[] | undefined;
  /** Runs again up to this many times after a failure. */
  retries = 0;
  /** Milliseconds before the running task fails with TimeoutError. */
  timeout: number | undefined;
  /** The user's signal: cancels the task before it starts, aborts it while it runs. */
  signal: AbortSignal | undefined;
  /** Removes the abort listener from `signal`. */
  unlisten: (() => void) | undefined;
  /** Set once the user's signal aborted while the task ran: its failure becomes a cancellation. */
  aborted = false;
  /** Aborts the running attempt's `currentTask().signal`. */
  abortRunning: ((reason: unknown) => void) | undefined;
}
