import PQueue from 'p-queue';
import { CONCURRENCY, type GraphRunner, refuseDependencies, type TaskFn } from './graph-runner.js';

/** p-queue: `queue.add(() => fn())` per task, then `await queue.onIdle()`. */
export class PQueueRunner implements GraphRunner<Promise<number>> {
  readonly #queue: PQueue;

  constructor(concurrency = CONCURRENCY) {
    this.#queue = new PQueue({ concurrency });
  }

  task(fn: TaskFn, ...deps: Promise<number>[]): Promise<number> {
    if (deps.length > 0) refuseDependencies('p-queue');
    return this.#queue.add(() => fn());
  }

  run(): Promise<void> {
    return this.#queue.onIdle();
  }

  read(handle: Promise<number>): Promise<number> {
    return handle;
  }
}
