import type { TaskList } from '../graph/task-list.js';
import type { TaskNode } from '../graph/task-node.js';

/**
 * The ready tasks of one lane of a queue (the tasks asking for the same resources), kept in
 * the order of an `OrderPolicy`. The engine starts the first one whose queue has room.
 */
export interface ReadyLane {
  readonly size: number;
  /** The first ready task in the policy's order, if any. */
  peek(): TaskNode | undefined;
  /** Adds a task that became ready; `submitted` when it is ready as it is submitted. */
  push(node: TaskNode, submitted: boolean): void;
  /** Removes `node` (it starts, or it is cancelled while ready). */
  remove(node: TaskNode): void;
  /** Restores the order after `node`'s key moved earlier. */
  improved(node: TaskNode): void;
  /** Re-sorts every task after keys changed arbitrarily. */
  rebuild(): void;
  /** Every ready task, in no particular order. */
  nodes(): TaskNode[];
}

/**
 * Which ready task starts next: the seam between the engine (which decides when a task can
 * start) and an order (which decides which of those comes first). The engine tells the policy
 * what happens to tasks and asks it for lanes and comparisons; nothing else of the engine
 * depends on the order. docs/ordering.md states each order's rule; docs/architecture.md shows
 * where the engine calls each method.
 */
export interface OrderPolicy {
  /** The order's name, as given to `new Scheduler({ order })`. */
  readonly name: string;
  /** A new, empty ready structure for one lane of a queue. */
  createLane(): ReadyLane;
  /** True if `a` starts before `b` (ready tasks of any queues and lanes). */
  precedes(a: TaskNode, b: TaskNode): boolean;
  /**
   * A task was submitted, its dependencies recorded: give it its place. The policy calls
   * `lane.improved` for every ready task whose place moved earlier.
   */
  submitted(node: TaskNode): void;
  /** A task starts an attempt (it has left its lane). */
  started(node: TaskNode): void;
  /** An attempt of `node` ended after running `ms` milliseconds (what estimators learn from). */
  attemptEnded(node: TaskNode, ms: number): void;
  /**
   * Some unstarted tasks' places may no longer follow the rule (a cancellation cut a path of
   * the walk, a retried task came back): `refresh` must restore them before the next pick.
   */
  invalidate(): void;
  /** True after `invalidate` until `refresh`. */
  readonly stale: boolean;
  /** Restores every unstarted task's place (`unstarted`: newest first); rebuilds `lanes`. */
  refresh(unstarted: TaskList, lanes: Iterable<ReadyLane>): void;
}
