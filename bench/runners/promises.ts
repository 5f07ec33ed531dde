import type { GraphRunner, TaskFn } from './graph-runner.js';

/**
 * The naive promise graph: each task is `Promise.all(deps).then(fn)`. No concurrency limit
 * and no order: a task runs one microtask after its dependencies settle.
 */
export class PromiseGraphRunner implements GraphRunner<Promise<number>> {
  readonly #all: Promise<number>[] = [];

  task(fn: TaskFn, ...deps: Promise<number>[]): Promise<number> {
    const promise = Promise.all(deps).then((values) => fn(...values));
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
