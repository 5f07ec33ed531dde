import { Future, nodeOf } from '../futures/future.js';
import type { TaskNode } from '../graph/task-node.js';
import { TaskSettings } from '../graph/task-settings.js';
import {
  boolean,
  isInstance,
  nonNegativeInteger,
  optional,
  readOptions,
  string,
  thrownText,
  timerMs,
  typeError,
  type Where,
} from '../options/validate.js';
import type { QueueState } from './queue-state.js';
import { type Amounts, checkAmounts } from './resources.js';

/** Options for one task, given with `Q.options(taskOptions).submit(fn, ...args)`. */
export interface TaskOptions {
  /**
   * Shown in events, reports and errors.
   * @default the function's name
   */
  name?: string;
  /**
   * Resources taken from the queue's counters while the task runs; it waits until they are
   * free. Every name must be one of the queue's `resources`, and no amount above its total.
   * @example `{ gpu: 1 }`
   */
  resources?: Record<string, number>;
  /** Ordering-only dependencies: the task starts after they finish, without their values. */
  after?: Future<unknown> | readonly Future<unknown>[];
  /**
   * When the task finishes, its queue slot and resources stay taken until a task that names
   * it in `release` settles (an instrument kept reserved from acquisition to processing). A
   * task that fails does not hold.
   * @default false
   */
  hold?: boolean;
  /**
   * Held tasks (submitted with `hold: true`) to free when this task settles. They are
   * dependencies of this task.
   */
  release?: Future<unknown> | readonly Future<unknown>[];
  /**
   * Run again up to this many times after a failure; dependents see only the final outcome.
   * @default 0
   */
  retries?: number;
  /**
   * Milliseconds: past this the task fails with `TimeoutError` and its signal is aborted. Its
   * slot stays taken until the function really returns, so no more than `concurrency`
   * functions ever run at once.
   * At most 2^31 - 1 (about 24.8 days), the longest timer Node keeps.
   */
  timeout?: number;
  /** Aborting it cancels the task if it has not started, and aborts the task's own signal if it has. */
  signal?: AbortSignal;
}

/** The keys of {@link TaskOptions}, for `readOptions`. */
const TASK_OPTIONS = [
  'name',
  'resources',
  'after',
  'hold',
  'release',
  'retries',
  'timeout',
  'signal',
] as const;

/**
 * Task options after checking: a snapshot taken at `Q.options()`, so that changing the object
 * given there (or its `after` and `release` arrays) changes no later submission.
 */
export interface CheckedTaskOptions {
  readonly name?: string | undefined;
  readonly resources?: Amounts | undefined;
  readonly after?: readonly TaskNode[] | undefined;
  readonly hold?: boolean | undefined;
  readonly release?: readonly TaskNode[] | undefined;
  readonly retries?: number | undefined;
  readonly timeout?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * `after` or `release`: a future or an array of futures of the scheduler that owns `owner`'s
 * queue, read once into a list of their tasks.
 */
function futureNodes(where: Where, value: unknown, owner: object): readonly TaskNode[] {
  let list: unknown[];
  try {
    list = Array.isArray(value) ? Array.from(value as unknown[]) : [value];
  } catch (error) {
    throw new TypeError(
      `${where.call}: could not read \`${where.key}\` (${thrownText(error)}). Pass a Future or a plain array of Futures.`,
      { cause: error },
    );
  }
  return list.map((future) => {
    let node: TaskNode | undefined;
    try {
      // A Proxy of a future passes instanceof but has no task: nodeOf throws for it.
      if (isInstance(future, Future)) node = nodeOf(future);
    } catch {
      node = undefined;
    }
    if (node === undefined) {
      throw typeError(where.call, where.key, 'a Future or an array of Futures', future);
    }
    if (node.queue.owner !== owner) {
      throw new TypeError(
        `${where.call}: \`${where.key}\` must name futures of this scheduler, got future ${node.id} (${node.name}) of another one.`,
      );
    }
    return node;
  });
}

function abortSignal(where: Where, value: unknown): AbortSignal {
  if (!isInstance(value, AbortSignal)) {
    throw typeError(where.call, where.key, 'an AbortSignal', value);
  }
  return value;
}

/**
 * Checks task options (at `Q.options()`; `call` names it in messages) and returns a snapshot:
 * each option read once, unknown keys refused with the list of known ones, `after` and
 * `release` checked to be futures of the scheduler of `owner` (a queue's owner).
 *
 * @throws TypeError or RangeError naming the call and the option.
 */
export function checkTaskOptions(
  call: string,
  options: unknown,
  owner: object,
): CheckedTaskOptions {
  const futures = (where: Where, value: unknown) => futureNodes(where, value, owner);
  const o = readOptions(call, options, TASK_OPTIONS);
  const checked: {
    -readonly [K in keyof CheckedTaskOptions]: CheckedTaskOptions[K];
  } = {};
  checked.name = optional(call, o, 'name', string);
  checked.resources = optional(call, o, 'resources', checkAmounts);
  checked.after = optional(call, o, 'after', futures);
  checked.hold = optional(call, o, 'hold', boolean);
  checked.release = optional(call, o, 'release', futures);
  checked.retries = optional(call, o, 'retries', nonNegativeInteger);
  checked.timeout = optional(call, o, 'timeout', (where, value) => timerMs(where, value, true));
  checked.signal = optional(call, o, 'signal', abortSignal);
  return checked;
}

/** A task's resolved options, and the dependencies they add (release first, then after). */
export interface ResolvedOptions {
  settings: TaskSettings | undefined;
  extraDeps: TaskNode[] | undefined;
}

/**
 * Resolves checked options against the queue a task goes to: its resource request, the tasks
 * it releases and comes after. Throws, before anything is queued, for what cannot work.
 */
export function resolveOptions(
  options: CheckedTaskOptions,
  queue: QueueState,
  task: string,
): ResolvedOptions {
  // Everything that can refuse the task comes before the one side effect (a ready lane).
  const demand = queue.resources.demand(options.resources, task);
  let extraDeps: TaskNode[] | undefined;
  const settings = new TaskSettings();
  if (options.release !== undefined) {
    for (const node of options.release) {
      if (node.settings?.hold !== true) {
        throw new TypeError(
          `Task \`${task}\` releases task ${node.id} (${node.name}), which does not hold its slot. Submit that task with { hold: true }, or drop it from \`release\`.`,
        );
      }
    }
    settings.releases = [...options.release];
    extraDeps = [...options.release];
  }
  if (options.after !== undefined) extraDeps = (extraDeps ?? []).concat(options.after);
  settings.demand = demand;
  if (demand !== undefined) settings.lane = queue.laneFor(demand);
  settings.hold = options.hold ?? false;
  settings.retries = options.retries ?? 0;
  settings.timeout = options.timeout;
  settings.signal = options.signal;
  return { settings, extraDeps };
}
