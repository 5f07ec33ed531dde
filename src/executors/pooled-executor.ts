import type { TaskFunction } from '../graph/task-node.js';
import type { ItemSink } from './drive-generator.js';
import type { Executor, ExecutorQueue, RunInfo } from './executor.js';
import { specOf, type TaskSpec } from './task-ref.js';
import type { TaskRequest } from './wire.js';
import { type CheckedWorkerOptions, refuseClosure } from './worker-options.js';

/**
 * What `threads()` and `processes()` share: a pool sized by the queues that attach to it
 * (a queue's concurrency is its number of workers) before it starts, task references only, and
 * a request per attempt. Subclasses start their pool on the first `run`.
 */
export abstract class PooledExecutor implements Executor {
  abstract readonly kind: string;
  protected readonly options: CheckedWorkerOptions;
  /** Workers the pool will have: the sum of the attached queues' concurrencies (at least 1). */
  #workers = 0;
  #nextKey = 1;

  constructor(options: CheckedWorkerOptions) {
    this.options = options;
  }

  /** True once the pool runs: it is sized then, and no queue may attach any more. */
  protected abstract get started(): boolean;

  /** How many workers the pool starts with. */
  protected get workers(): number {
    return Math.max(1, this.#workers);
  }

  attach(queue: ExecutorQueue): void {
    if (this.started) {
      throw new TypeError(
        `Expected a ${this.kind}() executor that has not run tasks yet for queue ${queue.name}: its pool is already sized and running. Give the queue its own ${this.kind}().`,
      );
    }
    this.#workers += queue.concurrency;
  }

  refuse(fn: TaskFunction): string | undefined {
    return refuseClosure(this.kind, fn);
  }

  /** The request that runs `fn` (a task reference: `refuse` let it through) in a worker. */
  protected request(fn: TaskFunction, args: unknown[], info: RunInfo): TaskRequest {
    const spec = specOf(fn) as TaskSpec;
    return {
      url: spec.moduleUrl,
      exportName: spec.exportName,
      generator: spec.generator,
      args,
      key: this.#nextKey++,
      id: info.id,
      name: info.name,
      attempt: info.attempt,
    };
  }

  abstract run(fn: TaskFunction, args: unknown[], info: RunInfo, sink?: ItemSink): unknown;
  abstract close(): Promise<void>;
}
