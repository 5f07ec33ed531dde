/**
 * The error classes of smqsched. Every class is exported, matched with `instanceof` (never by
 * message text), names the task it is about, and says in its message what to do next.
 *
 * @module
 */

/** What an error knows of the task it is about. */
export interface TaskLabel {
  /** The task's id, unique within its scheduler. */
  readonly id: number;
  /** The task's name (its function's name unless set with `Q.options({ name })`). */
  readonly name: string;
}

/**
 * A plain copy of a task's id and name. Errors keep this, never the object they were given,
 * which may be the scheduler's internal task record (with its value and dependencies): a kept
 * error must not keep those alive.
 */
function labelOf(task: TaskLabel): TaskLabel {
  return { id: task.id, name: task.name };
}

function label(task: TaskLabel): string {
  return `task ${task.id} (${task.name})`;
}

/**
 * `wait()` rejects with this when one or more tasks failed. `errors` holds each failed task's
 * own error, in the order they failed; tasks cancelled because of them are not listed.
 */
export class TaskFailedError extends AggregateError {
  override readonly name = 'TaskFailedError';
  constructor(errors: readonly unknown[]) {
    const first = errors[0];
    // The first error's message, without its own full stop (this sentence adds one).
    const what = first instanceof Error ? `: first, ${first.message.replace(/\.$/, '')}` : '';
    super(
      errors,
      `${errors.length} task(s) failed${what}. Inspect .errors for each task's error, fix the cause and submit those tasks again.`,
    );
  }
}

/**
 * A task was cancelled, without running, because a task it depends on (directly or not)
 * failed. `cause` is the error of the task that failed first in the chain (the root), and
 * `failedTask` names it.
 */
export class DependencyError extends Error {
  override readonly name = 'DependencyError';
  /** The task that was cancelled. */
  readonly task: TaskLabel;
  /** The task whose failure cancelled it (the root of the chain). */
  readonly failedTask: TaskLabel;
  constructor(task: TaskLabel, failedTask: TaskLabel, cause: unknown) {
    super(
      `${label(task)} was cancelled because its dependency ${label(failedTask)} failed. Fix that task; this one never ran.`,
      { cause },
    );
    this.task = labelOf(task);
    this.failedTask = labelOf(failedTask);
  }
}

/** `result()` was called on a future that has not finished yet. */
export class NotReadyError extends Error {
  override readonly name = 'NotReadyError';
  /** The task that has not finished. */
  readonly task: TaskLabel;
  constructor(task: TaskLabel, status: string) {
    super(
      `${label(task)} is ${status}, so it has no result yet. Await the future, or call result() after await sch.wait().`,
    );
    this.task = labelOf(task);
  }
}

/** A generator task yielded no item at the index asked for. */
export class IndexError extends RangeError {
  override readonly name = 'IndexError';
  /** The generator task. */
  readonly task: TaskLabel;
  /** The index asked for. */
  readonly index: number;
  constructor(task: TaskLabel, index: number, count: number) {
    super(
      `${label(task)} yielded ${count} item(s), so it has no item ${index}. Ask only for indices below the count it yields.`,
    );
    this.task = labelOf(task);
    this.index = index;
  }
}

/** A task ran past its `timeout`. Its `AbortSignal` was aborted with this error. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  /** The task that timed out. */
  readonly task: TaskLabel;
  /** The timeout, in milliseconds. */
  readonly timeout: number;
  constructor(task: TaskLabel, timeout: number) {
    super(
      `${label(task)} ran longer than its timeout of ${timeout} ms. Raise the timeout or make the task watch currentTask().signal.`,
    );
    this.task = labelOf(task);
    this.timeout = timeout;
  }
}

/** A task was cancelled by its `AbortSignal` before it could finish. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  /** The task that was cancelled. */
  readonly task: TaskLabel;
  constructor(task: TaskLabel, reason?: unknown) {
    super(`${label(task)} was cancelled by its abort signal. Submit it again to run it.`, {
      cause: reason,
    });
    this.task = labelOf(task);
  }
}

/**
 * Tasks remain but none runs and none can ever start (a held slot whose releaser cannot get a
 * slot, resources that never come back). `tasks` names them; each `waitsFor` says why, in a
 * sentence (the same as `sch.explain(future).message`).
 */
export class DeadlockError extends Error {
  override readonly name = 'DeadlockError';
  /** The tasks that can never start, each with what it waits for. */
  readonly tasks: readonly (TaskLabel & { readonly waitsFor: string })[];
  constructor(tasks: readonly (TaskLabel & { readonly waitsFor: string })[]) {
    const list = tasks
      .slice(0, 5)
      .map((t) => t.waitsFor)
      .join(' ');
    const more = tasks.length > 5 ? ` (and ${tasks.length - 5} more; see .tasks)` : '';
    super(
      `Deadlock: ${tasks.length} task(s) can never start. ${list}${more} Release held slots (name the holding task in a task's release), or give the queues more slots or resources.`,
    );
    this.tasks = tasks;
  }
}

/** The worker running a task exited or crashed. */
export class WorkerCrashedError extends Error {
  override readonly name = 'WorkerCrashedError';
  /** The task whose worker crashed. */
  readonly task: TaskLabel;
  /** The worker's exit code, if it exited. */
  readonly exitCode: number | null;
  /** The signal that killed the worker, if any. */
  readonly signal: string | null;
  constructor(task: TaskLabel, exitCode: number | null, signal: string | null) {
    super(
      `The worker running ${label(task)} crashed (exit code ${exitCode}, signal ${signal}). Give the task retries, or fix what makes the worker exit.`,
    );
    this.task = labelOf(task);
    this.exitCode = exitCode;
    this.signal = signal;
  }
}

/**
 * Wraps a non-Error value that a task threw, so every failure is an `Error`. The message
 * describes the value without trusting it: a value that cannot be turned into a string (an
 * object without a prototype, a `toString` that throws) must not break the failure itself.
 */
export class NonErrorThrown extends Error {
  override readonly name = 'NonErrorThrown';
  /** The task that threw. */
  readonly task: TaskLabel;
  /** The value that was thrown. */
  readonly value: unknown;
  constructor(task: TaskLabel, value: unknown) {
    super(
      `${label(task)} threw a non-Error value: ${describeValue(value)}. Throw Error objects instead.`,
    );
    this.task = labelOf(task);
    this.value = value;
  }
}

/**
 * `show(value)` (by default `String(value)`), without trusting the value: one that cannot be
 * turned into a string (an object without a prototype, a `toString` that throws) gives
 * `[object Object]` and the like; a Proxy whose traps throw, or a revoked one, gives
 * `[object]`.
 */
export function textOf(value: unknown, show: (value: unknown) => string = String): string {
  try {
    return show(value);
  } catch {
    try {
      return Object.prototype.toString.call(value);
    } catch {
      return '[object]';
    }
  }
}

/** An error's message as text (read through `textOf`: the getter may throw). */
function messageOf(error: unknown): string {
  return String((error as Error).message);
}

/** A function by its name, anything else by `String`. */
function shownInMessage(value: unknown): string {
  return typeof value === 'function' ? `[function ${value.name || 'anonymous'}]` : String(value);
}

/** Describes a value for a `TypeError` message: `` `0` (number) ``. */
export function describeValue(value: unknown): string {
  const type = value === null ? 'null' : typeof value;
  let shown = textOf(value, shownInMessage);
  if (shown.length > 60) shown = `${shown.slice(0, 57)}...`;
  return `\`${shown}\` (${type})`;
}

/**
 * A generator task declared its count with `numberOfResults` and yielded another number of
 * items. Its yielded items stay done; the missing ones fail with `IndexError`.
 */
export class StreamCountError extends Error {
  override readonly name = 'StreamCountError';
  /** The generator task. */
  readonly task: TaskLabel;
  /** The count `numberOfResults` declared. */
  readonly declared: number;
  /** How many items it yielded, counting the first surplus one (then it yielded at least this many). */
  readonly actual: number;
  constructor(task: TaskLabel, declared: number, actual: number, surplus: boolean) {
    super(
      `${label(task)} declared ${declared} item(s) with numberOfResults but yielded ${surplus ? `at least ${actual}` : actual}. Make numberOfResults return the count the generator really yields.`,
    );
    this.task = labelOf(task);
    this.declared = declared;
    this.actual = actual;
  }
}

/**
 * A retried generator task yielded fewer items than its earlier attempts had delivered. The
 * delivered items stay done (their dependents may have run); the task fails, because its
 * retry did not reproduce them.
 */
export class StreamReplayError extends Error {
  override readonly name = 'StreamReplayError';
  /** The generator task. */
  readonly task: TaskLabel;
  /** How many items the earlier attempts delivered. */
  readonly delivered: number;
  /** How many the failing attempt yielded before it ended. */
  readonly yielded: number;
  constructor(task: TaskLabel, attempt: number, yielded: number, delivered: number) {
    super(
      `${label(task)} yielded ${yielded} item(s) on attempt ${attempt + 1}, fewer than the ${delivered} its earlier attempts delivered. A retried generator starts over and must yield the same items again: make it deterministic, or give it retries: 0.`,
    );
    this.task = labelOf(task);
    this.delivered = delivered;
    this.yielded = yielded;
  }
}

/**
 * A task's arguments could not be turned into the values it receives, so it never ran: reading
 * an argument threw (a getter, a revoked Proxy), or a future was put into an argument after
 * submit and was not finished when the task started. The original error is the `cause`.
 */
export class ArgumentError extends Error {
  override readonly name = 'ArgumentError';
  /** The task whose arguments failed. */
  readonly task: TaskLabel;
  constructor(task: TaskLabel, cause: unknown) {
    const why = cause instanceof Error ? textOf(cause, messageOf) : describeValue(cause);
    super(
      `The arguments of ${label(task)} could not be read when it started: ${why.replace(/\.$/, '')}. Pass plain data (no throwing getters or revoked Proxies), and put futures into arguments before submit, never after.`,
      { cause },
    );
    this.task = labelOf(task);
  }
}
