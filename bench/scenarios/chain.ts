import { graphScenario } from '../graph-scenario.js';
import type { GraphRunner } from '../runners/graph-runner.js';
import { type GroupResult, SUBJECT } from '../scenario.js';
import { findGroup, formatNumber, medianMs, verdict } from '../stats.js';

const SMALL = 10_000;
const LARGE = 100_000;
/** time(100k) / time(10k) must stay near linear: at most 12 for 10 times the tasks. */
const SCALING_TARGET = 12;

const zero = (): number => 0;
const inc = (a: number): number => a + 1;

/** A chain: each task takes the previous one's result. */
function build<H>(graph: GraphRunner<H>, size: number): H {
  let last = graph.task(zero);
  for (let i = 1; i < size; i++) last = graph.task(inc, last);
  return last;
}

function summarize(groups: readonly GroupResult[]): string[] {
  const small = medianMs(findGroup(groups, SUBJECT, SMALL));
  const large = medianMs(findGroup(groups, SUBJECT, LARGE));
  if (small === undefined || large === undefined) return [];
  const ratio = large / small;
  return [
    `${SUBJECT} scaling: time(${formatNumber(LARGE)}) / time(${formatNumber(SMALL)}) = ` +
      `${formatNumber(ratio, 2)} (target <= ${SCALING_TARGET}: ${verdict(ratio, SCALING_TARGET)})`,
  ];
}

export const chain = graphScenario({
  name: 'chain',
  description: 'a chain: task i takes the future of task i-1; all submitted before start()',
  variants: [
    { name: SUBJECT },
    { name: 'p-graph' },
    { name: 'async.auto', capSeconds: 60 },
    { name: 'promises' },
  ],
  sizes: [SMALL, LARGE],
  tasks: (size) => size,
  build,
  expected: (size) => size - 1,
  summarize,
});
