import { type Future, Queue, Scheduler } from '../../dist/index.js';
import { CONCURRENCY, type GraphRunner, type TaskFn } from './graph-runner.js';

/** smqsched on one inline queue: tasks are submitted before `start()`, as in the seed. */
export class SmqschedRunner implements GraphRunner<Future<number>> {
  readonly #scheduler = new Scheduler();
  readonly #queue: Queue;

  constructor(concurrency = CONCURRENCY) {
    this.#queue = new Queue(this.#scheduler, { concurrency });
  }

  task(fn: TaskFn, ...deps: Future<number>[]): Future<number> {
    return this.#queue.submit(fn, ...deps);
  }

  run(): Promise<void> {
    this.#scheduler.start();
    return this.#scheduler.wait();
  }

  read(handle: Future<number>): number {
    return handle.result();
  }
}
