import { describeValue } from '../errors.js';
import type { TaskStatus } from '../graph/task-status.js';
import { func, oneOf } from '../options/validate.js';

/** What every task event carries. */
export interface TaskEvent {
  /** The task's id. */
  readonly id: number;
  /** The task's name. */
  readonly name: string;
  /** The name of the task's queue. */
  readonly queue: string;
  /** When it happened, from `performance.now()`. */
  readonly time: number;
}

/** A task started an attempt. */
export interface TaskStartEvent extends TaskEvent {
  /** 0 for the first run, 1 for the first retry, ... */
  readonly attempt: number;
}

/** A task's attempt failed and the task will run again (it has `retries` left). */
export interface TaskRetryEvent extends TaskEvent {
  /** The attempt that failed. */
  readonly attempt: number;
  /** Its error. */
  readonly error: unknown;
}

/** A task ended: done, failed or cancelled. */
export interface TaskEndEvent extends TaskEvent {
  /** The last attempt (0 unless the task was retried). */
  readonly attempt: number;
  /** How it ended. */
  readonly status: Extract<TaskStatus, 'done' | 'failed' | 'cancelled'>;
  /** The error, if it failed or was cancelled. */
  readonly error?: unknown;
}

/** A generator task yielded an item. */
export interface TaskItemEvent extends TaskEvent {
  /** The item's index in the stream. */
  readonly index: number;
}

/** No task is left unsettled. */
export interface IdleEvent {
  /** When it happened, from `performance.now()`. */
  readonly time: number;
}

/** The scheduler's events and what each carries. */
export interface SchedulerEvents {
  /** A task started running (each attempt). */
  'task:start': TaskStartEvent;
  /** A task's attempt failed and it will run again. */
  'task:retry': TaskRetryEvent;
  /** A task ended: done, failed, or cancelled (also cancelled without having run). */
  'task:end': TaskEndEvent;
  /** A generator task yielded an item. */
  'task:item': TaskItemEvent;
  /** Every submitted task has settled. */
  idle: IdleEvent;
}

/** The names of the scheduler's events, in the order `SchedulerEvents` lists them. */
export const EVENT_NAMES: readonly (keyof SchedulerEvents)[] = [
  'task:start',
  'task:retry',
  'task:end',
  'task:item',
  'idle',
];

/**
 * Checks the arguments of `sch.on()` or `sch.off()` (`call`).
 *
 * @throws TypeError if `name` is not one of {@link EVENT_NAMES} or `listener` is not a function.
 */
export function checkListener(call: string, name: unknown, listener: unknown): void {
  oneOf({ call, key: 'name' }, name, EVENT_NAMES);
  func({ call, key: 'listener' }, listener);
}

/** A listener for event `E`. */
export type Listener<E extends keyof SchedulerEvents> = (event: SchedulerEvents[E]) => void;

/**
 * A small typed event emitter. `has(name)` lets the core skip building an event nobody listens
 * to. A listener that throws is reported as a process warning and never disturbs the scheduler.
 */
export class EventHub {
  readonly #listeners: { [E in keyof SchedulerEvents]?: Listener<E>[] } = Object.create(null);

  on<E extends keyof SchedulerEvents>(name: E, listener: Listener<E>): void {
    const list = this.#listeners[name] as Listener<E>[] | undefined;
    if (list === undefined) (this.#listeners as Record<E, Listener<E>[]>)[name] = [listener];
    else list.push(listener);
  }

  off<E extends keyof SchedulerEvents>(name: E, listener: Listener<E>): void {
    const list = this.#listeners[name] as Listener<E>[] | undefined;
    const at = list?.indexOf(listener) ?? -1;
    if (list !== undefined && at >= 0) list.splice(at, 1);
  }

  has(name: keyof SchedulerEvents): boolean {
    const list = this.#listeners[name];
    return list !== undefined && list.length > 0;
  }

  emit<E extends keyof SchedulerEvents>(name: E, event: SchedulerEvents[E]): void {
    const list = this.#listeners[name] as Listener<E>[] | undefined;
    if (list === undefined) return;
    for (const listener of [...list]) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(`smqsched: a '${name}' listener threw: ${describeValue(error)}`);
      }
    }
  }
}
