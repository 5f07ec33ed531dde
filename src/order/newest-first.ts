import type { TaskList } from '../graph/task-list.js';
import type { TaskNode } from '../graph/task-node.js';
import type { OrderPolicy, ReadyLane } from './order-policy.js';
import { Ranking } from './ranking.js';
import { ReadyHeap } from './ready-heap.js';

/** True if `a` ranks before `b` in the newest-first walk: a later epoch, then a lower position. */
function ranksBefore(a: TaskNode, b: TaskNode): boolean {
  return a.epoch > b.epoch || (a.epoch === b.epoch && a.pos < b.pos);
}

/**
 * The default order, `order: 'newest'` (docs/ordering.md, "The rule"): walk the unfinished
 * tasks from the newest submitted into their dependencies, depth-first in argument order, and
 * start the first startable one. Kept exactly, without re-walking, as a rank per task
 * (`Ranking`) and a heap per lane ordered by rank (`ReadyHeap`), whose stack part takes tasks
 * ready at submission in O(1).
 */
export class NewestFirst implements OrderPolicy {
  readonly name = 'newest';
  readonly #ranking = new Ranking();
  readonly #moved = (node: TaskNode): void => node.lane.improved(node);

  createLane(): ReadyLane {
    return new ReadyHeap(ranksBefore);
  }

  precedes(a: TaskNode, b: TaskNode): boolean {
    return ranksBefore(a, b);
  }

  submitted(node: TaskNode): void {
    this.#ranking.place(node, this.#moved);
  }

  started(node: TaskNode): void {
    this.#ranking.started(node);
  }

  attemptEnded(_node: TaskNode, _ms: number): void {}

  invalidate(): void {
    this.#ranking.dirty = true;
  }

  get stale(): boolean {
    return this.#ranking.dirty;
  }

  refresh(unstarted: TaskList, lanes: Iterable<ReadyLane>): void {
    this.#ranking.rerank(unstarted.newest);
    for (const lane of lanes) lane.rebuild();
  }
}
