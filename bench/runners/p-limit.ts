import pLimit from 'p-limit';
import { CONCURRENCY, type GraphRunner, refuseDependencies, type TaskFn } from './graph-runner.js';

/** p-limit: `limit(fn)` per task, then `Promise.all` over the returned promises. */
export class PLimitRunner implements GraphRunner<Promise<number>> {
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #all: Promise<number>[] = [];

  constructor(concurrency = CONCURRENCY) {
    this.#limit = pLimit(concurrency);
  }

  task(fn: TaskFn, ...deps: Promise<number>[]): Promise<number> {
    if (deps.length > 0) refuseDependencies('p-limit');
    const promise = this.#limit(fn);
    this.#all.push(promise);
    return promise;
  }

  async run(): Promise<void> {
    await Promise.all(this.#all);
  }

  read(handle: Promise<number>): Promise<number> {
    return handle;
  }
}
