import type { Executor } from '../executors/executor.js';
import { TaskList } from '../graph/task-list.js';
import { TaskNode } from '../graph/task-node.js';
import { TaskSettings } from '../graph/task-settings.js';
import type { OrderPolicy, ReadyLane } from '../order/order-policy.js';
import { type Demand, demandKey, type ResourcePool } from './resources.js';

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

/** Ready tasks that ask for the same resources, in dispatch order. */
interface Lane {
  readonly demand: Demand;
  readonly heap: ReadyLane;
}

/** The scheduler engine a queue belongs to, as the queue sees it. */
export interface QueueOwner {
  /** The order the engine dispatches in: it makes the queue's lanes. */
  readonly order: OrderPolicy;
}

/**
 * The runtime state of one queue: its slots and resources, its ready tasks in dispatch order,
 * and its counts. Independent of where the tasks run (that is the executor's job).
 *
 * Ready tasks sit in one heap per distinct resource request (a lane; tasks asking for nothing
 * use `heap`), so the first startable task is the best head among the lanes whose request fits
 * what is free: a task that cannot get its resources never blocks the ones behind it.
 *
 * Invariants: `slotsTaken <= concurrency`; `slotsTaken === occupants.size` (tasks running, or
 * finished and holding their slot); `counts.ready` is the number of tasks in all lanes.
 */
export class QueueState {
  /** The scheduler engine the queue belongs to (futures must not cross schedulers). */
  readonly owner: QueueOwner;
  readonly name: string;
  readonly concurrency: number;
  readonly executor: Executor;
  readonly resources: ResourcePool;
  /** The lane of tasks that ask for no resources. */
  readonly heap: ReadyLane;
  readonly #lanes = new Map<string, Lane>();
  readonly counts: StatusCounts = emptyCounts();
  /** Tasks that hold a slot: running, or finished with `hold` and not yet released. */
  readonly occupants = new TaskList();

  constructor(
    owner: QueueOwner,
    name: string,
    concurrency: number,
    executor: Executor,
    resources: ResourcePool,
  ) {
    this.owner = owner;
    this.heap = owner.order.createLane();
    this.name = name;
    this.concurrency = concurrency;
    this.executor = executor;
    this.resources = resources;
  }

  get slotsTaken(): number {
    return this.occupants.size;
  }

  /** A task starts: it takes a slot, and the resources it asks for. */
  occupy(node: TaskNode): void {
    this.occupants.add(node);
    const demand = node.settings?.demand;
    if (demand !== undefined) this.resources.take(demand);
  }

  /** A task gives its slot and resources back (its function returned, or its hold ended). */
  vacate(node: TaskNode): void {
    this.occupants.remove(node);
    const settings = node.settings;
    if (settings === undefined) return;
    settings.holding = false;
    if (settings.demand !== undefined) this.resources.give(settings.demand);
  }

  /**
   * Hands a running task's slot and resources to a stand-in, which keeps them until
   * `vacate(standIn)`. An attempt that timed out is decided while its function runs on: the
   * task may be put back for a retry (into the unstarted tasks, then the occupants again),
   * and a task is in one list at a time, so the old attempt's place must be another node's.
   */
  standIn(node: TaskNode): TaskNode {
    const standIn = new TaskNode(node.id, node.name, this, undefined, undefined, false, undefined);
    standIn.status = 'running';
    const demand = node.settings?.demand;
    if (demand !== undefined) {
      standIn.settings = new TaskSettings();
      standIn.settings.demand = demand;
    }
    this.occupants.remove(node);
    this.occupants.add(standIn);
    return standIn;
  }

  /** The ready lane for tasks asking for `demand`. */
  laneFor(demand: Demand): ReadyLane {
    const key = demandKey(demand);
    let lane = this.#lanes.get(key);
    if (lane === undefined) {
      lane = { demand, heap: this.owner.order.createLane() };
      this.#lanes.set(key, lane);
    }
    return lane.heap;
  }

  /** The first ready task that can start now (a slot and its resources free), if any. */
  firstStartable(): TaskNode | undefined {
    if (this.occupants.size >= this.concurrency) return undefined;
    let best = this.heap.peek();
    if (this.#lanes.size === 0) return best;
    const order = this.owner.order;
    for (const lane of this.#lanes.values()) {
      const head = lane.heap.peek();
      if (head === undefined || (best !== undefined && !order.precedes(head, best))) continue;
      if (this.resources.fits(lane.demand)) best = head;
    }
    return best;
  }

  /** Every ready heap: the plain lane and one per resource request. */
  *heaps(): Generator<ReadyLane> {
    yield this.heap;
    for (const lane of this.#lanes.values()) yield lane.heap;
  }
}
