import type { TaskFunction } from '../graph/task-node.js';
import type { ItemSink } from './drive-generator.js';
import type { Executor, RunInfo } from './executor.js';
import { PooledExecutor } from './pooled-executor.js';
import { ProcessPool } from './process-pool.js';
import { RemoteTask } from './remote-task.js';
import { checkWorkerOptions, entryUrl, type WorkerOptions } from './worker-options.js';

/** Options of `processes(options)`. */
export interface ProcessesOptions extends WorkerOptions {}

/**
 * Runs tasks in child processes (`node:child_process`), one process per slot of the queues it
 * serves. The scheduler keeps the order; the pool only runs what it is given.
 */
class ProcessesExecutor extends PooledExecutor {
  readonly kind = 'processes';
  #pool: ProcessPool | undefined;

  protected get started(): boolean {
    return this.#pool !== undefined;
  }

  run(fn: TaskFunction, args: unknown[], info: RunInfo, sink?: ItemSink): unknown {
    this.#pool ??= new ProcessPool(entryUrl('process-entry'), this.workers, this.options.execArgv);
    const request = this.request(fn, args, info);
    const remote = new RemoteTask(request.key, info, this.#pool, this.options.abortGrace, sink);
    const done = remote.promise;
    this.#pool.run(request, remote);
    return done;
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.close();
  }
}

/**
 * Runs each task in a child process, up to the queue's concurrency at once (one process per
 * slot, started as tasks need them). For work that must not share a process with the scheduler:
 * native code that may crash, memory that must be given back, `process.chdir`. Tasks are
 * references to exported functions made with `task()`; values cross the IPC channel by
 * structured cloning (copied, never moved). A process that exits or crashes fails only its task,
 * with `WorkerCrashedError` (exit code and signal), and is replaced. `sch.close()` ends them.
 *
 * @throws TypeError or RangeError for malformed options.
 *
 * @example
 * ```ts
 * const render = task<typeof import('./render.js').render>(
 *   new URL('./render.js', import.meta.url),
 *   'render',
 * );
 * const Q = new Queue(sch, { executor: processes(), concurrency: 4 });
 * const image = Q.submit(render, scene);
 * ```
 */
export function processes(options?: ProcessesOptions): Executor {
  const { abortGrace, execArgv } = checkWorkerOptions('processes', options);
  return new ProcessesExecutor({ abortGrace, execArgv });
}
