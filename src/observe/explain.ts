import type { TaskNode } from '../graph/task-node.js';
import type { TaskStatus } from '../graph/task-status.js';

/** Why a task is not running now. */
export type ExplainReason =
  | 'settled'
  | 'running'
  | 'stopped'
  | 'halted'
  | 'dependencies'
  | 'queue-full'
  | 'resources'
  | 'startable';

/** A task, named in an explanation. */
export interface TaskSummary {
  readonly id: number;
  readonly name: string;
  readonly status: TaskStatus;
  /** True for a finished task that still holds its queue slot (`hold`). */
  readonly holding?: boolean;
}

/** `sch.explain(future)`: why a task is not running now, in words and as data. */
export interface Explanation {
  readonly id: number;
  readonly name: string;
  readonly status: TaskStatus;
  readonly queue: string;
  readonly reason: ExplainReason;
  /** The same, in a sentence. */
  readonly message: string;
  /** With `dependencies`: the unfinished tasks it waits on. */
  readonly waitingOn?: readonly TaskSummary[];
  /** With `queue-full`: the tasks taking the queue's slots (running or holding). */
  readonly occupants?: readonly TaskSummary[];
  /** With `resources`: each resource it lacks, and who holds some of it. */
  readonly resources?: readonly {
    readonly name: string;
    readonly wanted: number;
    readonly free: number;
    readonly total: number;
    readonly heldBy: readonly TaskSummary[];
  }[];
}

function summary(node: TaskNode): TaskSummary {
  const holding = node.settings?.holding === true;
  return { id: node.id, name: node.name, status: node.status, ...(holding ? { holding } : {}) };
}

function list(tasks: readonly TaskSummary[]): string {
  const shown = tasks
    .slice(0, 5)
    .map((t) => `${t.id} (${t.name}, ${t.holding ? 'holding its slot' : t.status})`);
  return shown.join(', ') + (tasks.length > 5 ? `, and ${tasks.length - 5} more` : '');
}

/** Explains `node`'s state from the graph, its queue and the scheduler's flags. */
export function explainTask(node: TaskNode, started: boolean, halted: boolean): Explanation {
  const queue = node.queue;
  const base = { id: node.id, name: node.name, status: node.status, queue: queue.name };
  const who = `Task ${node.id} (${node.name})`;
  switch (node.status) {
    case 'done':
    case 'failed':
    case 'cancelled':
      return { ...base, reason: 'settled', message: `${who} has already settled: ${node.status}.` };
    case 'running':
      return { ...base, reason: 'running', message: `${who} is running on queue ${queue.name}.` };
    case 'waiting': {
      const waitingOn = (node.deps ?? []).filter((dep) => dep.status !== 'done').map(summary);
      return {
        ...base,
        reason: 'dependencies',
        message: `${who} waits on ${waitingOn.length} unfinished dependenc${waitingOn.length === 1 ? 'y' : 'ies'}: ${list(waitingOn)}.`,
        waitingOn,
      };
    }
    case 'ready':
      break;
  }
  if (!started) {
    return {
      ...base,
      reason: 'stopped',
      message: `${who} is ready, but the scheduler is stopped: call start().`,
    };
  }
  if (halted) {
    return {
      ...base,
      reason: 'halted',
      message: `${who} is ready, but a task failed and the scheduler has failFast: call start() to go on.`,
    };
  }
  const occupants = [...queue.occupants].map(summary);
  if (queue.slotsTaken >= queue.concurrency) {
    return {
      ...base,
      reason: 'queue-full',
      message: `${who} is ready, but all ${queue.concurrency} slot(s) of queue ${queue.name} are taken by ${list(occupants)}.`,
      occupants,
    };
  }
  const demand = node.settings?.demand ?? [];
  const free = queue.resources.snapshot();
  const lacking = demand
    .filter(([name, wanted]) => (free[name]?.free ?? 0) < wanted)
    .map(([name, wanted]) => ({
      name,
      wanted,
      free: free[name]?.free ?? 0,
      total: free[name]?.total ?? 0,
      heldBy: [...queue.occupants]
        .filter((t) => t.settings?.demand?.some(([n]) => n === name))
        .map(summary),
    }));
  if (lacking.length > 0) {
    const words = lacking.map(
      (r) => `${r.wanted} ${r.name} (${r.free} of ${r.total} free, held by ${list(r.heldBy)})`,
    );
    return {
      ...base,
      reason: 'resources',
      message: `${who} is ready, but queue ${queue.name} lacks ${words.join('; ')}.`,
      resources: lacking,
    };
  }
  return {
    ...base,
    reason: 'startable',
    message: `${who} is ready and can start now; it starts at the next dispatch, in result-first order.`,
  };
}
