import { DependencyError } from '../errors.js';
import { ItemNode } from './stream-state.js';
import { isUnstarted, type TaskNode } from './task-node.js';

/** Tells `node`'s dependents it is done; calls `ready` for each that has nothing left to wait on. */
export function releaseDependents(node: TaskNode, ready: (dependent: TaskNode) => void): void {
  const dependents = node.dependents;
  if (dependents === undefined) return;
  node.dependents = undefined;
  for (const dependent of dependents) {
    if (--dependent.pending === 0 && dependent.status === 'waiting') ready(dependent);
  }
}

/**
 * Cancels `dependents` and everything that depends on them, because `failed` failed or was
 * cancelled: each gets a `DependencyError` naming the root task and carrying its error as
 * `cause`. A cancelled generator task takes its waiting items with it. Iterative, so a long
 * chain of dependents cannot overflow the stack. `cancelled` is called for each node after it
 * is marked. Returns true if a cancelled task still waited on an unstarted task: the walk's
 * path through it is cut, so the ranks must be rebuilt (`Ranking.dirty`).
 */
export function cancelDependents(
  failed: TaskNode,
  dependents: readonly TaskNode[],
  cancelled: (node: TaskNode) => void,
): boolean {
  let cut = false;
  let root: { id: number; name: string } = { id: failed.id, name: failed.name };
  let cause: unknown = failed.outcome;
  if (failed.status === 'cancelled' && failed.outcome instanceof DependencyError) {
    root = failed.outcome.failedTask;
    cause = failed.outcome.cause;
  }
  const stack = dependents.slice();
  while (stack.length > 0) {
    const node = stack.pop() as TaskNode;
    if (node.status !== 'waiting') continue;
    if (node.deps?.some(isUnstarted)) cut = true;
    node.outcome = new DependencyError(node, root, cause);
    node.status = 'cancelled';
    node.fn = undefined;
    node.args = undefined;
    node.deps = undefined;
    const next = node.dependents;
    node.dependents = undefined;
    if (next !== undefined) for (const d of next) stack.push(d);
    if (node.stream !== undefined) for (const item of node.stream.pendingItems(0)) stack.push(item);
    cancelled(node);
  }
  return cut;
}

/** True for the nodes that are tasks (counted and reported), false for stream items. */
export function isTask(node: TaskNode): boolean {
  return !(node instanceof ItemNode);
}
