import { WorkerCrashedError } from '../errors.js';
import type { TaskInfo } from '../scheduler/current-task.js';
import type { ItemSink } from './drive-generator.js';
import { fromWire, type TaskOutcome, toWire, type WireError } from './wire.js';

/** What a `RemoteTask` asks of its transport (a worker thread or a child process). */
export interface RemoteControl {
  /** Tells the worker to abort the task's `currentTask().signal` with `reason`. */
  abort(reason: WireError): void;
  /** Tells a generator task's worker to stop yielding (a surplus item). */
  stop(): void;
  /** Ends the worker now (it did not stop within the grace period after an abort). */
  kill(): void;
}

/**
 * One task running in a worker, seen from the scheduler: the promise the engine waits on, the
 * items streamed back, and what happens when the engine aborts the task (timeout or user
 * abort): the worker's `currentTask().signal` aborts at once, and a worker still busy with the
 * task after `grace` milliseconds is ended, freeing the slot.
 *
 * Invariant: once settled, nothing more reaches the engine (late items are dropped).
 */
export class RemoteTask {
  readonly promise: Promise<unknown>;
  readonly #info: TaskInfo;
  readonly #sink: ItemSink | undefined;
  readonly #grace: number;
  #control: RemoteControl | undefined;
  #resolve!: (value: unknown) => void;
  #reject!: (error: unknown) => void;
  #settled = false;
  #stopped = false;
  #aborted = false;
  #timer: NodeJS.Timeout | undefined;
  #onAbort: (() => void) | undefined;

  constructor(info: TaskInfo, sink: ItemSink | undefined, grace: number) {
    this.#info = info;
    this.#sink = sink;
    this.#grace = grace;
    this.promise = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Starts following the task's signal; `control` reaches its worker. */
  attach(control: RemoteControl): void {
    this.#control = control;
    const signal = this.#info.signal;
    if (signal.aborted) {
      this.#abort();
      return;
    }
    this.#onAbort = () => this.#abort();
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** A generator task yielded `value` in the worker. */
  item(value: unknown): void {
    if (this.#settled || this.#stopped || this.#sink === undefined) return;
    if (!this.#sink(value)) {
      this.#stopped = true;
      this.#control?.stop();
    }
  }

  /** The worker reported the task's outcome. */
  end(outcome: TaskOutcome): void {
    if (outcome.ok) this.#settle(true, outcome.value);
    else this.#settle(false, fromWire(outcome.error));
  }

  /**
   * The task is lost with its worker: ended after an abort (the abort's reason is the error),
   * or crashed (`WorkerCrashedError`, with what was seen of the crash as its cause).
   */
  lost(exitCode: number | null, signal: string | null, cause?: unknown): void {
    if (this.#aborted) {
      this.#settle(false, this.#info.signal.reason);
      return;
    }
    const { id, name } = this.#info;
    const error = new WorkerCrashedError({ id, name }, exitCode, signal);
    if (cause !== undefined) error.cause = cause;
    this.#settle(false, error);
  }

  /** The task failed before it reached a worker (e.g. its arguments could not be copied). */
  fail(error: unknown): void {
    this.#settle(false, error);
  }

  #abort(): void {
    if (this.#settled || this.#aborted) return;
    this.#aborted = true;
    this.#control?.abort(toWire(this.#info.signal.reason));
    this.#timer = setTimeout(() => {
      if (!this.#settled) this.#control?.kill();
    }, this.#grace);
  }

  #settle(ok: boolean, value: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) {
      this.#info.signal.removeEventListener('abort', this.#onAbort);
    }
    if (ok) this.#resolve(value);
    else this.#reject(value);
  }
}
