import { TaskFailedError } from '../errors.js';

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Keeps the counts that `wait()` and `stop()` hang on, and their waiting callers.
 *
 * Invariants: `unsettled` counts the submitted tasks not yet done, failed or cancelled;
 * `running` counts the tasks started and not yet ended, over all queues; `failures` holds the
 * errors of failed tasks not yet reported by a `wait()`.
 */
export class Settlement {
  unsettled = 0;
  running = 0;
  /**
   * Of `running`: attempts that timed out while their function runs on. Their outcome is
   * decided, so `stop()` and `close()` do not wait for them (the functions keep their slots).
   */
  lingering = 0;
  /**
   * Of `running`: attempts that cannot progress by themselves: lingering past a second timeout,
   * or awaiting futures of unsettled tasks of this scheduler. When every running attempt is
   * blocked and nothing can start, nothing will ever progress: a deadlock.
   */
  blocked = 0;
  #failures: unknown[] = [];
  #waiters: Waiter[] = [];
  #stopWaiters: (() => void)[] = [];

  /** Records a task's failure, to be reported by the next `wait()` that settles. */
  failed(error: unknown): void {
    this.#failures.push(error);
  }

  /** A promise for `wait()`: settled now if `quiet`, else at a later `checkpoint`. */
  wait(quiet: boolean): Promise<void> {
    if (quiet) {
      const error = this.#takeFailures();
      return error === undefined ? Promise.resolve() : Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }

  /** A promise for `stop()`: resolves once nothing runs but timed-out functions. */
  whenNothingRuns(): Promise<void> {
    if (this.running === this.lingering) return Promise.resolve();
    return new Promise<void>((resolve) => this.#stopWaiters.push(resolve));
  }

  /** Wakes `stop()` callers once nothing runs, and `wait()` callers if `quiet`. */
  checkpoint(quiet: boolean): void {
    if (this.running === this.lingering && this.#stopWaiters.length > 0) {
      const stopped = this.#stopWaiters;
      this.#stopWaiters = [];
      for (const resolve of stopped) resolve();
    }
    if (!quiet || this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    const error = this.#takeFailures();
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }

  /** Rejects every `wait()` caller with `error` (a deadlock). */
  rejectWaiters(error: unknown): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  #takeFailures(): TaskFailedError | undefined {
    if (this.#failures.length === 0) return undefined;
    const error = new TaskFailedError(this.#failures);
    this.#failures = [];
    return error;
  }
}
