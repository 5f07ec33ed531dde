import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { TaskFunction } from '../graph/task-node.js';
import type { ItemSink } from './drive-generator.js';
import type { Executor, RunInfo } from './executor.js';
import { PooledExecutor } from './pooled-executor.js';
import type { RemoteTask, Transport } from './remote-task.js';
import { ThreadAborts } from './thread-aborts.js';
import {
  type CheckedThreadsOptions,
  checkThreadsOptions,
  type ThreadsOptions,
} from './thread-options.js';
import { ThreadRun } from './thread-run.js';
import type { StreamMessage, TaskRequest, ThreadTask, WireError } from './wire.js';
import { entryUrl } from './worker-options.js';

export type { ThreadResourceLimits, ThreadsOptions } from './thread-options.js';

type Pool = Piscina<ThreadTask, unknown>;

/**
 * Runs tasks in worker threads through a Piscina pool with one worker per slot of the queues it
 * serves. The scheduler keeps the order; the pool only runs what it is given.
 */
class ThreadsExecutor extends PooledExecutor implements Transport {
  readonly kind = 'threads';
  readonly #limits: CheckedThreadsOptions['resourceLimits'];
  #pool: Pool | undefined;
  #aborts: ThreadAborts | undefined;
  /** The ports generator tasks stream their items on, while they run. */
  readonly #ports = new Map<RemoteTask, MessagePort>();

  constructor(options: CheckedThreadsOptions) {
    super(options);
    this.#limits = options.resourceLimits;
  }

  protected get started(): boolean {
    return this.#pool !== undefined;
  }

  run(fn: TaskFunction, args: unknown[], info: RunInfo, sink?: ItemSink): unknown {
    const pool = this.#pool ?? this.#start();
    const request = this.request(fn, args, info);
    const run = new ThreadRun(request.key, info, this, this.options.abortGrace, sink);
    if (request.generator) return this.#stream(pool, run, request);
    return run.sent(pool.run(request, { signal: run }));
  }

  /** Runs a generator task: its items, then its outcome, come back on a port of its own. */
  #stream(pool: Pool, run: ThreadRun, request: TaskRequest): Promise<unknown> {
    const { port1, port2 } = new MessageChannel();
    this.#ports.set(run, port1);
    const done = run.promise;
    port1.on('message', (message: StreamMessage) => {
      if (message.kind === 'item') {
        run.item(message.value);
        return;
      }
      run.end(message.outcome);
    });
    const closePort = (): void => {
      port1.close();
      this.#ports.delete(run);
    };
    done.then(closePort, closePort);
    pool
      .run({ ...request, port: port2 }, { signal: run, transferList: [port2] })
      .catch((error: unknown) => run.reject(run.rejection(error)));
    return done;
  }

  abort(task: RemoteTask, reason: WireError): void {
    this.#aborts?.abort(task, reason);
  }

  stop(task: RemoteTask): void {
    this.#ports.get(task)?.postMessage('stop');
  }

  kill(task: RemoteTask): void {
    (task as ThreadRun).endWorker();
  }

  #start(): Pool {
    const workers = this.workers;
    const aborts = new ThreadAborts();
    const pool: Pool = new Piscina({
      filename: entryUrl('thread-entry').href,
      minThreads: workers,
      maxThreads: workers,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      recordTiming: false,
      // Idle workers wait in their event loop, not in Atomics.wait: the scheduler hands a worker
      // its next task only after the engine has taken in the last one, by which time a worker
      // in Atomics.wait has gone to sleep and costs a futex wake per task (measured: about 25%
      // more trivial round trips this way). Their timers and aborts also run between tasks.
      atomics: 'disabled',
      workerData: { abortChannel: aborts.name },
      ...(this.options.execArgv === undefined ? {} : { execArgv: this.options.execArgv }),
      ...(this.#limits === undefined ? {} : { resourceLimits: this.#limits }),
    });
    // A worker that fails between tasks (an uncaught error in a stray timer) is replaced;
    // without a listener Piscina would rethrow it in the scheduler's process.
    pool.on('error', () => {});
    this.#pool = pool;
    this.#aborts = aborts;
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

/**
 * Runs each task in a worker thread, up to the queue's concurrency at once (one thread per
 * slot, started when the first task runs). Tasks are references to exported functions made with
 * `task()`; arguments are copied to the worker by structured cloning, and buffers in results
 * (ArrayBuffers, whole typed arrays) are moved back without copying. A worker that crashes
 * fails only its task, with `WorkerCrashedError`, and is replaced. `sch.close()` ends the
 * threads. `resourceLimits` caps each thread's memory: a thread past it fails its task with
 * `WorkerCrashedError` and is replaced.
 *
 * @throws TypeError or RangeError for malformed options, unknown keys, or `execArgv` flags
 *   that worker threads do not take.
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
  return new ThreadsExecutor(checkThreadsOptions(options));
}
