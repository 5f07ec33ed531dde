import type { ItemSink } from '../executors/drive-generator.js';
import type { Executor, RunInfo } from '../executors/executor.js';
import type { RemoteTask, Transport } from '../executors/remote-task.js';
import { specOf, type TaskSpec } from '../executors/task-ref.js';
import type { WireError } from '../executors/wire.js';
import { refuseClosure } from '../executors/worker-options.js';
import type { TaskFunction } from '../graph/task-node.js';
import { ClusterLink } from './cluster-link.js';
import { ClusterTask } from './cluster-task.js';
import { encodeJob } from './codec.js';
import { type CheckedClusterOptions, type ClusterOptions, checkClusterOptions } from './options.js';
import type { JobData } from './protocol.js';

/**
 * Runs tasks as BullMQ jobs on `smqsched worker` processes. The scheduler calls `run` only when
 * a task is ready and its queue has a free slot, so a job reaches Redis in the scheduler's
 * order, and the queue's concurrency is the number of jobs in flight.
 *
 * Invariant: a task is in `#tasks` exactly from `run` until it settles.
 */
class ClusterExecutor implements Executor, Transport {
  readonly kind = 'cluster';
  readonly #options: CheckedClusterOptions;
  readonly #tasks = new Map<string, ClusterTask>();
  #link: ClusterLink | undefined;
  #nextKey = 1;
  readonly #forget = (task: ClusterTask): void => {
    this.#tasks.delete(task.jobId);
  };

  constructor(options: CheckedClusterOptions) {
    this.#options = options;
  }

  refuse(fn: TaskFunction): string | undefined {
    return refuseClosure(this.kind, fn);
  }

  run(fn: TaskFunction, args: unknown[], info: RunInfo, sink?: ItemSink): unknown {
    const link = this.#linkUp();
    const spec = specOf(fn) as TaskSpec;
    const key = this.#nextKey++;
    const data = this.#encode(link, spec, args, info);
    const task = new ClusterTask(
      key,
      { id: `${link.id}-${key}`, data, exportName: spec.exportName, generator: spec.generator },
      info,
      this,
      this.#options.abortGrace,
      sink,
      this.#forget,
    );
    this.#tasks.set(task.jobId, task);
    const done = task.promise;
    link.add(task);
    return done;
  }

  #linkUp(): ClusterLink {
    this.#link ??= new ClusterLink(
      { task: (jobId) => this.#tasks.get(jobId), tasks: () => this.#tasks.values() },
      this.#options,
    );
    return this.#link;
  }

  #encode(link: ClusterLink, spec: TaskSpec, args: unknown[], info: RunInfo): JobData {
    try {
      return encodeJob(link.replyKey, {
        module: spec.moduleUrl,
        exportName: spec.exportName,
        generator: spec.generator,
        args,
        id: info.id,
        name: info.name,
        attempt: info.attempt,
      });
    } catch (error) {
      throw new TypeError(
        `Task ${info.id} (${info.name}): its arguments could not be copied to Redis for a worker (${(error as Error).message}). Pass only data that structured cloning copies: no functions, no objects that need their class.`,
        { cause: error },
      );
    }
  }

  abort(task: RemoteTask, reason: WireError): void {
    this.#link?.publish({ job: (task as ClusterTask).jobId, kind: 'abort', reason });
  }

  stop(task: RemoteTask): void {
    this.#link?.publish({ job: (task as ClusterTask).jobId, kind: 'stop' });
  }

  /**
   * The grace after an abort has passed: a remote worker cannot be ended from here, so the task
   * fails now (with the abort's reason) and its slot frees; a job still waiting is dropped.
   */
  kill(task: RemoteTask): void {
    this.#link?.remove((task as ClusterTask).jobId);
    task.lost(null, null);
  }

  async close(): Promise<void> {
    const link = this.#link;
    this.#link = undefined;
    await link?.close();
  }
}

/**
 * Runs each task on `smqsched worker` processes, on this machine or any other, through a
 * BullMQ queue on Redis. The scheduler keeps the graph and the order: a task becomes a job only
 * when it is ready and its queue has a free slot, so the queue's concurrency is the number of
 * jobs in flight. Tasks are references to exported functions made with `task()`; a worker runs
 * them only if a module it was started with (`--tasks`) exports them, and never runs code from
 * a job. Values cross with `v8.serialize` (typed arrays, Dates, Maps, Sets and BigInts stay
 * whole); a generator's items stream back as they are yielded. A worker lost mid-task loses no
 * task: BullMQ gives the job to another worker, and its result is taken once. A task that
 * fails in a worker fails here with the worker's error (class name, message, stack).
 * `sch.close()` closes every Redis connection. See docs/cluster.md.
 *
 * @throws TypeError or RangeError for malformed options.
 *
 * @example
 * ```ts
 * import { cluster } from 'smqsched/cluster';
 * const render = task<typeof import('./render.js').render>(
 *   new URL('./render.js', import.meta.url),
 *   'render',
 * );
 * const Q = new Queue(sch, {
 *   executor: cluster({ connection: 'redis://redis.internal:6379', queueName: 'render' }),
 *   concurrency: 64, // jobs in flight
 * });
 * const image = Q.submit(render, scene);
 * // on each machine: smqsched worker --connection redis://redis.internal:6379 --queue render \
 * //   --tasks ./render.js --concurrency 8
 * ```
 */
export function cluster(options: ClusterOptions): Executor {
  return new ClusterExecutor(checkClusterOptions(options));
}
