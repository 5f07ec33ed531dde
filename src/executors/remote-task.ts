import { WorkerCrashedError } from '../errors.js';
import type { AbortReceiver } from '../scheduler/current-task.js';
import type { ItemSink } from './drive-generator.js';
import type { RunInfo } from './executor.js';
import { fromWire, isTaskOutcome, type TaskOutcome, toWire, type WireError } from './wire.js';

/** What a `RemoteTask` asks of the transport that reaches its worker. */
export interface Transport {
  /** Tells the worker running `task` that it is aborted: its `currentTask().signal` aborts. */
  abort(task: RemoteTask, reason: WireError): void;
  /** Tells the worker of a generator task to stop yielding (a surplus item). */
  stop(task: RemoteTask): void;
  /** Ends the worker running `task` now (it did not stop within the grace after an abort). */
  kill(task: RemoteTask): void;
}

/**
 * One task running in a worker, seen from the scheduler. It turns what comes back (an outcome,
 * streamed items, a lost worker) into what the engine expects, and follows the engine's abort
 * (timeout or user abort): the worker's `currentTask().signal` aborts at once, and a worker
 * still busy with the task after `grace` milliseconds is ended, freeing the slot.
 *
 * Two ways to settle: a transport whose outcome arrives as a promise settles it itself and
 * reports with `finish` and `failure`; one whose outcome arrives as messages uses `promise`
 * with `end`, `lost` and `reject`. Either way, once settled nothing more reaches the engine
 * (late items are dropped).
 */
export class RemoteTask implements AbortReceiver {
  readonly key: number;
  readonly info: RunInfo;
  readonly #transport: Transport;
  readonly #grace: number;
  readonly #sink: ItemSink | undefined;
  #settled = false;
  #stopped = false;
  #aborted = false;
  #abortReason: unknown;
  #timer: NodeJS.Timeout | undefined;
  #promise: Promise<unknown> | undefined;
  #resolve: ((value: unknown) => void) | undefined;
  #reject: ((error: unknown) => void) | undefined;

  constructor(
    key: number,
    info: RunInfo,
    transport: Transport,
    grace: number,
    sink: ItemSink | undefined,
  ) {
    this.key = key;
    this.info = info;
    this.#transport = transport;
    this.#grace = grace;
    this.#sink = sink;
    info.receiver = this;
  }

  /** The task's outcome as a promise, for transports that report by messages. */
  get promise(): Promise<unknown> {
    this.#promise ??= new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    return this.#promise;
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** The engine aborted the task: pass it on, and end the worker if it does not stop. */
  taskAborted(reason: unknown): void {
    if (this.#settled || this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    this.#transport.abort(this, toWire(reason));
    this.#timer = setTimeout(() => {
      if (!this.#settled) this.#transport.kill(this);
    }, this.#grace);
  }

  /** A generator task yielded `value` in the worker. */
  item(value: unknown): void {
    if (this.#settled || this.#stopped || this.#sink === undefined) return;
    if (!this.#sink(value)) {
      this.#stopped = true;
      this.#transport.stop(this);
    }
  }

  /** Settles with `error`, and returns it to be thrown. */
  failure(error: unknown): unknown {
    this.finish();
    return error;
  }

  /**
   * What the task fails with when its worker is lost: the abort's reason if the task was
   * aborted (its worker was ended on purpose), else a `WorkerCrashedError` with what was seen of
   * the crash as its `cause`.
   */
  lostError(exitCode: number | null, signal: string | null, cause?: unknown): unknown {
    if (this.#aborted) return this.#abortReason;
    const error = new WorkerCrashedError(
      { id: this.info.id, name: this.info.name },
      exitCode,
      signal,
    );
    if (cause !== undefined) error.cause = cause;
    return error;
  }

  /**
   * The worker reported the outcome (message transports). One not of the `TaskOutcome` shape
   * fails the task with a `TypeError` saying so.
   */
  end(outcome: TaskOutcome): void {
    if (this.#settled) return;
    this.finish();
    if (!isTaskOutcome(outcome)) this.#reject?.(this.#unreadable());
    else if (outcome.ok) this.#resolve?.(outcome.value);
    else this.#reject?.(fromWire(outcome.error));
  }

  #unreadable(): TypeError {
    const { id, name } = this.info;
    return new TypeError(
      `Task ${id} (${name}): its worker reported an outcome smqsched cannot read. Something in the worker wrote to smqsched's channel: a task should only return, throw or yield.`,
    );
  }

  /** The task failed with `error` (message transports). */
  reject(error: unknown): void {
    if (this.#settled) return;
    this.finish();
    this.#reject?.(error);
  }

  /** The worker was lost (message transports); see `lostError`. */
  lost(exitCode: number | null, signal: string | null, cause?: unknown): void {
    if (!this.#settled) this.reject(this.lostError(exitCode, signal, cause));
  }

  /** Marks the task settled: no more items, no abort timer, no more aborts. */
  protected finish(): void {
    this.#settled = true;
    this.info.receiver = undefined;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}
