import async from 'async';
import { CONCURRENCY, type GraphRunner, type TaskFn } from './graph-runner.js';

type Results = Record<string, number>;

/**
 * `async.auto`: a task object keyed by name, each entry `[...dependencyNames, fn]`, run with
 * a concurrency limit. The task functions are async functions, which async.auto settles
 * through promises, so long chains do not nest callbacks on the stack.
 */
export class AsyncAutoRunner implements GraphRunner<string> {
  readonly #tasks: Record<string, unknown> = {};
  #count = 0;
  #results: Results = {};
  readonly #concurrency: number;

  constructor(concurrency = CONCURRENCY) {
    this.#concurrency = concurrency;
  }

  task(fn: TaskFn, ...deps: string[]): string {
    const key = `t${this.#count++}`;
    if (deps.length === 0) {
      this.#tasks[key] = async () => fn();
    } else {
      // async.auto counts a name listed twice as two dependencies but releases it once.
      const names = [...new Set(deps)];
      this.#tasks[key] = [
        ...names,
        async (results: Results) => fn(...deps.map((dep) => results[dep] ?? Number.NaN)),
      ];
    }
    return key;
  }

  async run(): Promise<void> {
    const tasks = this.#tasks as async.AsyncAutoTasks<Results, Error>;
    this.#results = await async.auto(tasks, this.#concurrency);
  }

  read(handle: string): number {
    return this.#results[handle] ?? Number.NaN;
  }
}
