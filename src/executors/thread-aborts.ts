import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import type { RemoteTask } from './remote-task.js';
import type { WireError } from './wire.js';

/** What travels on a pool's abort channel: an abort, or a worker's hello as it starts. */
export type AbortMessage = 'hello' | { readonly key: number; readonly reason: WireError };

/**
 * Carries aborts from the scheduler to the worker threads of one pool, on a BroadcastChannel
 * (costless until a task is aborted). A worker that is still starting has no channel yet and
 * would miss an abort, so each worker says hello once its channel is open, and the aborts of
 * tasks that have not returned are sent again.
 */
export class ThreadAborts {
  /** The channel's name, for the workers (`workerData`). */
  readonly name = `smqsched-threads-${randomUUID()}`;
  readonly #channel: BroadcastChannel;
  /** Aborted tasks, with the abort's reason, until they are seen settled. */
  readonly #pending = new Map<RemoteTask, WireError>();

  constructor() {
    this.#channel = new BroadcastChannel(this.name);
    this.#channel.onmessage = (event) => {
      if ((event as { data: AbortMessage }).data === 'hello') this.#resend();
    };
    this.#channel.unref();
  }

  /** Tells the workers that `task` is aborted (again to each worker that starts later). */
  abort(task: RemoteTask, reason: WireError): void {
    this.#forgetSettled();
    this.#pending.set(task, reason);
    this.#channel.postMessage({ key: task.key, reason } satisfies AbortMessage);
  }

  close(): void {
    this.#channel.close();
    this.#pending.clear();
  }

  #resend(): void {
    this.#forgetSettled();
    for (const [task, reason] of this.#pending) {
      this.#channel.postMessage({ key: task.key, reason } satisfies AbortMessage);
    }
  }

  #forgetSettled(): void {
    for (const task of this.#pending.keys()) if (task.settled) this.#pending.delete(task);
  }
}
