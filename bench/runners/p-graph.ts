import { type DependencyList, PGraph, type PGraphNode } from 'p-graph';
import { CONCURRENCY, type GraphRunner, type TaskFn } from './graph-runner.js';

/**
 * p-graph: a node map and a dependency list, run with a concurrency limit. p-graph passes no
 * values, so each node reads its inputs from, and writes its output to, a shared array.
 */
export class PGraphRunner implements GraphRunner<number> {
  readonly #nodes = new Map<string, PGraphNode>();
  readonly #dependencies: DependencyList = [];
  readonly #values: number[] = [];
  readonly #concurrency: number;

  constructor(concurrency = CONCURRENCY) {
    this.#concurrency = concurrency;
  }

  task(fn: TaskFn, ...deps: number[]): number {
    const values = this.#values;
    const id = values.length;
    const key = String(id);
    values.push(0);
    this.#nodes.set(key, {
      run: () => {
        values[id] = fn(...deps.map((dep) => values[dep] ?? Number.NaN));
      },
    });
    for (const dep of deps) this.#dependencies.push([String(dep), key]);
    return id;
  }

  run(): Promise<void> {
    return new PGraph(this.#nodes, this.#dependencies).run({ concurrency: this.#concurrency });
  }

  read(handle: number): number {
    return this.#values[handle] ?? Number.NaN;
  }
}
