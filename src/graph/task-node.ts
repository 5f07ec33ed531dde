import type { ReadyLane } from '../order/order-policy.js';
import type { QueueState } from '../queues/queue-state.js';
import type { StreamState } from './stream-state.js';
import type { TaskSettings } from './task-settings.js';
import type { TaskStatus } from './task-status.js';

/** A function a task runs: anything callable with the task's resolved arguments. */
// biome-ignore lint/suspicious/noExplicitAny: a task function may take and return anything.
export type TaskFunction = (...args: any[]) => unknown;

/** Called once when a task settles (done, failed or cancelled). */
export type SettleListener = (node: TaskNode) => void;

/**
 * The scheduler's record of one task. Internal: users see it through its `Future`.
 *
 * Invariants:
 * - `pending` counts the distinct dependencies in `deps` that have not finished.
 * - a node is in its queue's ready heap exactly while `status === 'ready'` (`heapIndex >= 0`).
 * - `(epoch, pos)` is the node's rank in the dispatch order (see `ranking.ts`): a higher epoch
 *   comes first, then a lower position.
 * - once a node has started, `deps` and `args` are dropped; once it has settled, `fn` and
 *   `dependents` are dropped too, so the scheduler keeps nothing that no pending task needs.
 */
export class TaskNode {
  readonly id: number;
  readonly name: string;
  readonly queue: QueueState;
  status: TaskStatus = 'waiting';
  fn: TaskFunction | undefined;
  args: unknown[] | undefined;
  /** True when a future sits inside an array or object argument, not only at the top level. */
  nestedFutures: boolean;
  /** Distinct task dependencies in walk order: arguments depth-first, then release, then after. */
  deps: TaskNode[] | undefined;
  pending = 0;
  dependents: TaskNode[] | undefined;
  epoch = 0;
  pos = 0;
  heapIndex = -1;
  attempt = 0;
  /** The value if done; the error if failed or cancelled. */
  outcome: unknown;
  /** The task's options, if it was submitted with any. */
  settings: TaskSettings | undefined;
  /** The items of a generator task; undefined for other tasks. */
  stream: StreamState | undefined;
  /** Links in the list of unstarted tasks, by submission order (`TaskList`). */
  older: TaskNode | undefined;
  newer: TaskNode | undefined;
  listeners: SettleListener[] | undefined;

  constructor(
    id: number,
    name: string,
    queue: QueueState,
    fn: TaskFunction | undefined,
    args: unknown[] | undefined,
    nestedFutures: boolean,
    deps: TaskNode[] | undefined,
  ) {
    this.id = id;
    this.name = name;
    this.queue = queue;
    this.fn = fn;
    this.args = args;
    this.nestedFutures = nestedFutures;
    this.deps = deps;
  }

  /** The ready heap this task waits in: its queue's lane for its resource request. */
  get lane(): ReadyLane {
    return this.settings?.lane ?? this.queue.heap;
  }

  /** Runs `listener` once this node settles (at once if it has). */
  onSettle(listener: SettleListener): void {
    if (this.status === 'done' || this.status === 'failed' || this.status === 'cancelled') {
      listener(this);
    } else if (this.listeners === undefined) {
      this.listeners = [listener];
    } else {
      this.listeners.push(listener);
    }
  }
}

/** True for a task that has neither started nor settled: waiting or ready. */
export function isUnstarted(node: TaskNode): boolean {
  return node.status === 'waiting' || node.status === 'ready';
}
