import { graphScenario } from '../graph-scenario.js';
import type { GraphRunner } from '../runners/graph-runner.js';
import { SUBJECT } from '../scenario.js';

const rand = (): number => 1 + Math.random();
const inv = (a: number): number => 1 / a;
const mul = (a: number, b: number): number => a * b;

/** The seed's three task functions. */
export interface SeedTasks {
  rand(): number;
  inv(a: number): number;
  mul(a: number, b: number): number;
}

/**
 * The seed example's shape with trivial tasks: n values, n inverses of them, and a product of
 * every ordered pair of inverses. `tasks` replaces the functions (e.g. to log completions).
 */
export function buildSeed<H>(
  graph: GraphRunner<H>,
  n: number,
  tasks: SeedTasks = { rand, inv, mul },
): H {
  const inverses: H[] = [];
  for (let i = 0; i < n; i++) {
    const a = graph.task(tasks.rand);
    inverses.push(graph.task(tasks.inv, a));
  }
  let last: H | undefined;
  for (const bi of inverses) {
    for (const bk of inverses) last = graph.task(tasks.mul, bi, bk);
  }
  if (last === undefined) throw new RangeError('The seed shape needs n >= 1.');
  return last;
}

export const seed = graphScenario({
  name: 'seed',
  description: 'the seed shape: A[i] = rand(), B[i] = inv(A[i]), C[i*n+k] = mul(B[i], B[k])',
  variants: [
    { name: SUBJECT },
    { name: 'p-graph' },
    { name: 'async.auto', capSeconds: 60 },
    { name: 'promises' },
  ],
  sizes: [100, 300],
  sizeLabel: (n) => `n=${n}`,
  tasks: (n) => 2 * n + n * n,
  build: buildSeed,
});
