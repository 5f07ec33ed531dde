import { graphScenario } from '../graph-scenario.js';
import type { GraphRunner } from '../runners/graph-runner.js';
import { SUBJECT } from '../scenario.js';

const one = (): number => 1;
const add = (a: number, b: number): number => a + b;

/** A binary reduction tree: the leaves, then each level sums pairs of the level below. */
function build<H>(graph: GraphRunner<H>, leaves: number): H {
  let level: H[] = [];
  for (let i = 0; i < leaves; i++) level.push(graph.task(one));
  while (level.length > 1) {
    const next: H[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) {
      next.push(graph.task(add, level[i] as H, level[i + 1] as H));
    }
    if (level.length % 2 === 1) next.push(level[level.length - 1] as H);
    level = next;
  }
  const [root] = level;
  if (root === undefined) throw new RangeError('A reduction needs at least one leaf.');
  return root;
}

export const reduce = graphScenario({
  name: 'reduce',
  description: 'a binary reduction tree: 2^17 leaves, then pairwise sums level by level',
  variants: [{ name: SUBJECT }, { name: 'promises' }, { name: 'p-graph' }],
  sizes: [2 ** 17],
  sizeLabel: (leaves) => `2^${Math.log2(leaves)} leaves`,
  tasks: (leaves) => 2 * leaves - 1,
  build,
  expected: (leaves) => leaves,
});
