import { RemoteTask } from './remote-task.js';
import { fromWire, isThreadTaskError, messageOf } from './wire.js';

/**
 * A task on a `threads()` pool: a `RemoteTask` that is also the abort signal Piscina follows
 * for it (Piscina ends the task's worker when it fires), so no AbortController is made per task,
 * and the thenable the engine waits on, settled straight from Piscina's promise: the engine
 * learns of the result one microtask after Piscina, and the worker gets its next task sooner.
 */
export class ThreadRun extends RemoteTask {
  readonly aborted = false;
  #endWorker: (() => void) | undefined;
  #sent: Promise<unknown> | undefined;

  /** What Piscina's `run` returned for this task: the worker's value, or its rejection. */
  sent(promise: Promise<unknown>): this {
    this.#sent = promise;
    return this;
  }

  // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose: the engine waits on any thenable, and this one saves a promise and a microtask per task.
  then(onDone: (value: unknown) => unknown, onFailed: (error: unknown) => unknown): unknown {
    return (this.#sent as Promise<unknown>).then(
      (value) => {
        this.finish();
        return onDone(value);
      },
      (error: unknown) => onFailed(this.failure(this.rejection(error))),
    );
  }

  /** Piscina's hook: the listener ends the worker running this task. */
  addEventListener(_type: 'abort', listener: () => void): void {
    this.#endWorker = listener;
  }

  removeEventListener(): void {
    this.#endWorker = undefined;
  }

  /** Ends the worker running this task (Piscina starts another). */
  endWorker(): void {
    this.#endWorker?.();
  }

  /**
   * What Piscina's rejection of this task means: the error the task fails with. Never throws:
   * the rejection may be anything a worker thread threw or posted.
   */
  rejection(error: unknown): unknown {
    if (isThreadTaskError(error)) return fromWire(error.smqschedTaskError);
    let name: unknown;
    try {
      name = (error as { name?: unknown } | null)?.name;
    } catch {
      name = undefined;
    }
    if (name === 'DataCloneError') {
      const { id, name: taskName } = this.info;
      return new TypeError(
        `Task ${id} (${taskName}): a value could not be copied to or from its worker thread (${messageOf(error)}). Pass and return only data that structured cloning copies: no functions, no objects that need their class.`,
        { cause: error },
      );
    }
    // Piscina says `worker exited with code: N`; an uncaught error in the worker exits with 1.
    const match = /exited with code: (-?\d+)/.exec(messageOf(error));
    return this.lostError(match === null ? 1 : Number(match[1]), null, error);
  }
}
