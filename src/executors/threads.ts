import { randomUUID } from 'node:crypto';
import { BroadcastChannel, MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { TaskFunction } from '../graph/task-node.js';
import type { TaskInfo } from '../scheduler/current-task.js';
import type { ItemSink } from './drive-generator.js';
import type { Executor, ExecutorQueue } from './executor.js';
import { RemoteTask } from './remote-task.js';
import { specOf, type TaskSpec } from './task-ref.js';
import type { StreamMessage, TaskOutcome, TaskRequest, ThreadTask, WireError } from './wire.js';
import {
  type CheckedWorkerOptions,
  checkWorkerOptions,
  entryUrl,
  refusal,
  type WorkerOptions,
} from './worker-options.js';

/** Options of `threads(options)`. */
export interface ThreadsOptions extends WorkerOptions {}

/** Piscina's rejection for a worker that could not receive a value. */
function isCloneError(error: unknown): boolean {
  return (error as { name?: unknown } | null)?.name === 'DataCloneError';
}

/** The exit code in Piscina's `worker exited with code: N`, or 1 for an uncaught error. */
function exitCodeOf(error: unknown): number {
  const match = /exited with code: (-?\d+)/.exec(String((error as Error | null)?.message));
  return match === null ? 1 : Number(match[1]);
}

/**
 * A signal-like object that Piscina accepts for `run`: calling `kill()` makes Piscina end the
 * task's worker (and start a new one). Cheaper than an AbortController per task.
 */
class Killer {
  readonly aborted = false;
  #listener: (() => void) | undefined;
  addEventListener(_type: 'abort', listener: () => void): void {
    this.#listener = listener;
  }
  removeEventListener(): void {
    this.#listener = undefined;
  }
  kill(): void {
    this.#listener?.();
  }
}

/**
 * Runs tasks in worker threads through a Piscina pool with one worker per slot of the queues it
 * serves. The scheduler keeps the order; the pool only runs what it is given.
 */
class ThreadsExecutor implements Executor {
  readonly kind = 'threads';
  readonly #options: CheckedWorkerOptions;
  readonly #abortChannelName = `smqsched-threads-${randomUUID()}`;
  #workers = 0;
  #pool: Piscina<ThreadTask, TaskOutcome | null> | undefined;
  #aborts: BroadcastChannel | undefined;
  /** Aborted attempts whose workers have not returned yet, with the abort's reason. */
  readonly #abortedRunning = new Map<number, WireError>();
  #nextKey = 1;

  constructor(options: CheckedWorkerOptions) {
    this.#options = options;
  }

  attach(queue: ExecutorQueue): void {
    if (this.#pool !== undefined) {
      throw new TypeError(
        `Expected a threads() executor that has not run tasks yet for queue ${queue.name}: its pool is already sized and running. Give the queue its own threads().`,
      );
    }
    this.#workers += queue.concurrency;
  }

  refuse(fn: TaskFunction): string | undefined {
    return specOf(fn) === undefined ? refusal(this.kind, fn) : undefined;
  }

  run(fn: TaskFunction, args: unknown[], info: TaskInfo, sink?: ItemSink): unknown {
    const pool = this.#ensurePool();
    const spec = specOf(fn) as TaskSpec;
    const key = this.#nextKey++;
    const remote = new RemoteTask(info, sink, this.#options.abortGrace);
    const request: TaskRequest = {
      url: spec.moduleUrl,
      exportName: spec.exportName,
      generator: spec.generator,
      args,
      key,
      id: info.id,
      name: info.name,
      attempt: info.attempt,
    };
    const killer = new Killer();
    const port = spec.generator ? this.#streamPort(remote) : undefined;
    remote.attach({
      abort: (reason) => this.#abort(key, reason, remote),
      stop: () => port?.local.postMessage('stop'),
      kill: () => killer.kill(),
    });
    const sent =
      port === undefined
        ? pool.run(request, { signal: killer })
        : pool.run(
            { ...request, port: port.remote },
            { signal: killer, transferList: [port.remote] },
          );
    sent.then(
      (outcome) => {
        if (outcome !== null) remote.end(outcome);
      },
      (error: unknown) => {
        port?.local.close();
        if (isCloneError(error)) remote.fail(cloneError(info, error));
        else remote.lost(exitCodeOf(error), null, error);
      },
    );
    return remote.promise;
  }

  /** The channel a generator task's items come back on, ending with its outcome. */
  #streamPort(remote: RemoteTask): { local: MessagePort; remote: MessagePort } {
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (message: StreamMessage) => {
      if (message.kind === 'item') {
        remote.item(message.value);
      } else {
        port1.close();
        remote.end(message.outcome);
      }
    });
    return { local: port1, remote: port2 };
  }

  /**
   * Tells the workers that attempt `key` is aborted. A worker still starting has no channel
   * yet and misses the message, so every worker says hello once its channel is open, and the
   * aborts of tasks still running are sent again.
   */
  #abort(key: number, reason: WireError, remote: RemoteTask): void {
    this.#abortedRunning.set(key, reason);
    const forget = (): void => {
      this.#abortedRunning.delete(key);
    };
    remote.promise.then(forget, forget);
    this.#aborts?.postMessage({ key, reason });
  }

  #openAbortChannel(): void {
    const channel = new BroadcastChannel(this.#abortChannelName);
    channel.onmessage = (event) => {
      if ((event as { data: unknown }).data !== 'hello') return;
      for (const [key, reason] of this.#abortedRunning) channel.postMessage({ key, reason });
    };
    channel.unref();
    this.#aborts = channel;
  }

  #ensurePool(): Piscina<ThreadTask, TaskOutcome | null> {
    if (this.#pool !== undefined) return this.#pool;
    const workers = Math.max(1, this.#workers);
    const pool = new Piscina<ThreadTask, TaskOutcome | null>({
      filename: entryUrl('thread-entry').href,
      minThreads: workers,
      maxThreads: workers,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      recordTiming: false,
      workerData: { abortChannel: this.#abortChannelName },
      ...(this.#options.execArgv === undefined ? {} : { execArgv: this.#options.execArgv }),
    });
    this.#openAbortChannel();
    // A worker that fails between tasks (an uncaught error in a stray timer) is replaced;
    // without a listener Piscina would rethrow it in the scheduler's process.
    pool.on('error', () => {});
    this.#pool = pool;
    return pool;
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    this.#aborts?.close();
    this.#aborts = undefined;
    await pool?.destroy();
  }
}

function cloneError(info: TaskInfo, cause: unknown): TypeError {
  const message = (cause as Error).message;
  return new TypeError(
    `Task ${info.id} (${info.name}): a value could not be copied to or from its worker thread (${message}). Pass and return only data that structured cloning copies: no functions, no objects that need their class.`,
    { cause },
  );
}

/**
 * Runs each task in a worker thread, up to the queue's concurrency at once (one thread per
 * slot, started when the first task runs). Tasks are references to exported functions made with
 * `task()`; arguments are copied to the worker by structured cloning, and buffers in results
 * (ArrayBuffers, whole typed arrays) are moved back without copying. A worker that crashes
 * fails only its task, with `WorkerCrashedError`, and is replaced. `sch.close()` ends the
 * threads.
 *
 * @throws TypeError or RangeError for malformed options.
 *
 * @example
 * ```ts
 * const invert = task<typeof import('./linalg.js').invert>(
 *   new URL('./linalg.js', import.meta.url),
 *   'invert',
 * );
 * const Q = new Queue(sch, { executor: threads(), concurrency: 2 });
 * const inverse = Q.submit(invert, matrix);
 * ```
 */
export function threads(options?: ThreadsOptions): Executor {
  return new ThreadsExecutor(checkWorkerOptions('threads', options));
}
