import { describeValue } from '../errors.js';
import { Future, nodeOf } from '../futures/future.js';
import type { TaskNode } from '../graph/task-node.js';
import { TaskSettings } from '../graph/task-settings.js';
import type { QueueState } from './queue-state.js';

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
   */
  timeout?: number;
  /** Aborting it cancels the task if it has not started, and aborts the task's own signal if it has. */
  signal?: AbortSignal;
}

const KNOWN = new Set([
  'name',
  'resources',
  'after',
  'hold',
  'release',
  'retries',
  'timeout',
  'signal',
]);

/** Checks the shape of task options (at `Q.options()`). */
export function checkTaskOptions(options: unknown): TaskOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `Expected the task options to be an object, got ${describeValue(options)}.`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw new TypeError(
        `Unknown task option \`${key}\`. The options are: ${[...KNOWN].join(', ')}.`,
      );
    }
  }
  const o = options as Record<string, unknown>;
  if (o.name !== undefined && typeof o.name !== 'string') {
    throw new TypeError(`Expected \`name\` to be a string, got ${describeValue(o.name)}.`);
  }
  if (o.hold !== undefined && typeof o.hold !== 'boolean') {
    throw new TypeError(`Expected \`hold\` to be a boolean, got ${describeValue(o.hold)}.`);
  }
  if (o.retries !== undefined) {
    if (typeof o.retries !== 'number') {
      throw new TypeError(
        `Expected \`retries\` to be a number from 0 up, got ${describeValue(o.retries)}.`,
      );
    }
    if (!Number.isInteger(o.retries) || o.retries < 0) {
      throw new RangeError(
        `Expected \`retries\` to be an integer from 0 up, got ${describeValue(o.retries)}.`,
      );
    }
  }
  if (o.timeout !== undefined) {
    if (typeof o.timeout !== 'number') {
      throw new TypeError(
        `Expected \`timeout\` to be a number of milliseconds, got ${describeValue(o.timeout)}.`,
      );
    }
    if (!(o.timeout > 0) || !Number.isFinite(o.timeout) || o.timeout > 2 ** 31 - 1) {
      throw new RangeError(
        `Expected \`timeout\` to be a number of milliseconds above 0 (at most 2^31 - 1), got ${describeValue(o.timeout)}.`,
      );
    }
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new TypeError(
      `Expected \`signal\` to be an AbortSignal, got ${describeValue(o.signal)}.`,
    );
  }
  return options as TaskOptions;
}

function futureNodes(value: unknown, option: string, task: string, owner: object): TaskNode[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((future: unknown) => {
    if (!(future instanceof Future)) {
      throw new TypeError(
        `Expected \`${option}\` of task \`${task}\` to be a Future or an array of Futures, got ${describeValue(future)}.`,
      );
    }
    const node = nodeOf(future);
    if (node.queue.owner !== owner) {
      throw new TypeError(
        `Expected \`${option}\` of task \`${task}\` to name futures of this scheduler, got future ${node.id} (${node.name}) of another one.`,
      );
    }
    return node;
  });
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
  options: TaskOptions,
  queue: QueueState,
  task: string,
): ResolvedOptions {
  const settings = new TaskSettings();
  settings.demand = queue.resources.demand(options.resources, task);
  if (settings.demand !== undefined) settings.lane = queue.laneFor(settings.demand);
  settings.hold = options.hold ?? false;
  settings.retries = options.retries ?? 0;
  settings.timeout = options.timeout;
  settings.signal = options.signal;
  let extraDeps: TaskNode[] | undefined;
  if (options.release !== undefined) {
    const released = futureNodes(options.release, 'release', task, queue.owner);
    for (const node of released) {
      if (node.settings?.hold !== true) {
        throw new TypeError(
          `Task \`${task}\` releases task ${node.id} (${node.name}), which does not hold its slot. Submit that task with { hold: true }, or drop it from \`release\`.`,
        );
      }
    }
    settings.releases = released;
    extraDeps = [...released];
  }
  if (options.after !== undefined) {
    extraDeps = (extraDeps ?? []).concat(futureNodes(options.after, 'after', task, queue.owner));
  }
  return { settings, extraDeps };
}
