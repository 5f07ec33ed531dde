import { measure, toRunResult } from './measure.js';
import type { GraphRunner } from './runners/graph-runner.js';
import { loadRunner } from './runners/index.js';
import type { GroupResult, RunResult, Scenario, VariantSpec } from './scenario.js';

/** A scenario that is one task graph, stated once and run by every variant's library. */
export interface GraphShape {
  readonly name: string;
  readonly description: string;
  readonly variants: readonly VariantSpec[];
  readonly sizes: readonly number[];
  sizeLabel?(size: number): string;
  /** How many tasks `build` adds at this size. */
  tasks(size: number): number;
  /**
   * Adds the graph's tasks, as a user would submit them; returns the handle of a task whose
   * value is checked against `expected` once the run is over.
   */
  build<H>(graph: GraphRunner<H>, size: number): H;
  /** The value of the task `build` returned, when it is known in advance. */
  expected?(size: number): number;
  /** Further figures, measured after the timed run (it does not count in its time or peak). */
  extra?(variant: string, size: number): Promise<Record<string, number> | undefined>;
  summarize?(groups: readonly GroupResult[]): string[];
}

async function timedRun(shape: GraphShape, variant: string, size: number): Promise<RunResult> {
  const createRunner = await loadRunner(variant);
  const measured = await measure(async () => {
    const graph = createRunner();
    const last = shape.build(graph, size);
    await graph.run();
    return { graph, last };
  });
  const value = await measured.value.graph.read(measured.value.last);
  const expected = shape.expected?.(size);
  if (expected !== undefined && value !== expected) {
    throw new Error(`${shape.name}/${variant}: the last task gave ${value}, expected ${expected}.`);
  }
  return toRunResult(measured, shape.tasks(size));
}

/** Makes a `Scenario` of a graph shape. */
export function graphScenario(shape: GraphShape): Scenario {
  const scenario: Scenario = {
    name: shape.name,
    description: shape.description,
    variants: shape.variants,
    sizes: shape.sizes,
    async run(variant, size) {
      const result = await timedRun(shape, variant, size);
      const extra = await shape.extra?.(variant, size);
      return extra === undefined ? result : { ...result, extra };
    },
  };
  if (shape.sizeLabel !== undefined) scenario.sizeLabel = shape.sizeLabel;
  if (shape.summarize !== undefined) scenario.summarize = shape.summarize;
  return scenario;
}
