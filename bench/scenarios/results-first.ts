/**
 * Results first: the seed shape at n = 100 (10,200 trivial tasks) with 1 and with 8 slots,
 * and how early the final results (the products C, which nothing depends on) arrive: the tasks
 * completed before the first final result, the time to it, and the mean completion position
 * of the final results (1 = first of all tasks to complete). The peers run ready tasks in
 * FIFO order, so their first product waits for every A and B.
 */
import { measure, toRunResult } from '../measure.js';
import { loadRunner } from '../runners/index.js';
import { type GroupResult, type RunResult, type Scenario, SUBJECT } from '../scenario.js';
import { findGroup, formatNumber, medianExtra } from '../stats.js';
import { buildSeed, type SeedTasks } from './seed.js';

const N = 100;
const TASKS = 2 * N + N * N;
const BEFORE_FIRST = 'tasksBeforeFirstFinal';
const FIRST_MS = 'firstFinalMs';
const MEAN_POSITION = 'meanFinalPosition';
/** The target: with one slot, at most this many tasks complete before the first final result. */
const BEFORE_FIRST_TARGET = 3;

/** Counts completions and where the final results fall among them. */
class CompletionLog {
  completed = 0;
  finals = 0;
  finalPositions = 0;
  beforeFirstFinal = -1;
  firstFinalMs = Number.NaN;
  start = 0;

  intermediate(): void {
    this.completed++;
  }

  final(): void {
    if (this.beforeFirstFinal < 0) {
      this.beforeFirstFinal = this.completed;
      this.firstFinalMs = performance.now() - this.start;
    }
    this.completed++;
    this.finals++;
    this.finalPositions += this.completed;
  }
}

/** The seed shape's tasks, each reporting its completion to `log`. */
function loggedTasks(log: CompletionLog): SeedTasks {
  return {
    rand: () => {
      log.intermediate();
      return 1 + Math.random();
    },
    inv: (a) => {
      log.intermediate();
      return 1 / a;
    },
    mul: (a, b) => {
      log.final();
      return a * b;
    },
  };
}

async function run(variant: string, slots: number): Promise<RunResult> {
  const createRunner = await loadRunner(variant);
  const log = new CompletionLog();
  const measured = await measure(async () => {
    log.start = performance.now();
    const graph = createRunner(slots);
    buildSeed(graph, N, loggedTasks(log));
    await graph.run();
  });
  if (log.completed !== TASKS || log.finals !== N * N) {
    throw new Error(
      `results-first/${variant}: ${log.completed} tasks completed, expected ${TASKS}.`,
    );
  }
  return toRunResult(measured, TASKS, {
    [BEFORE_FIRST]: log.beforeFirstFinal,
    [FIRST_MS]: log.firstFinalMs,
    [MEAN_POSITION]: log.finalPositions / log.finals,
  });
}

function summarize(groups: readonly GroupResult[]): string[] {
  const lines: string[] = [];
  for (const slots of [1, 8]) {
    const firsts: [string, number][] = [];
    for (const variant of [SUBJECT, 'p-graph', 'async.auto']) {
      const group = findGroup(groups, variant, slots);
      const before = medianExtra(group, BEFORE_FIRST);
      const firstMs = medianExtra(group, FIRST_MS);
      const mean = medianExtra(group, MEAN_POSITION);
      if (before === undefined || firstMs === undefined || mean === undefined) continue;
      firsts.push([variant, firstMs]);
      lines.push(
        `${slots} slot(s), ${variant}: ${formatNumber(before)} tasks before the first final ` +
          `result, after ${formatNumber(firstMs, 2)} ms; final results' mean completion ` +
          `position ${formatNumber(mean)} of ${formatNumber(TASKS)}`,
      );
    }
    const ours = firsts.find(([variant]) => variant === SUBJECT)?.[1];
    const peers = firsts.filter(([variant]) => variant !== SUBJECT);
    if (ours !== undefined && peers.length > 0) {
      const earliest = peers.every(([, ms]) => ours < ms);
      lines.push(
        `${slots} slot(s): smqsched's first final result is earlier than every peer's: ` +
          `${earliest ? 'met' : 'MISSED'}`,
      );
    }
  }
  const one = medianExtra(findGroup(groups, SUBJECT, 1), BEFORE_FIRST);
  if (one !== undefined) {
    lines.push(
      `1 slot: ${formatNumber(one)} tasks before the first final result ` +
        `(target <= ${BEFORE_FIRST_TARGET}: ${one <= BEFORE_FIRST_TARGET ? 'met' : 'MISSED'})`,
    );
  }
  return lines;
}

export const resultsFirst: Scenario = {
  name: 'results-first',
  description: `the seed shape, n=${N} (${formatNumber(TASKS)} tasks), 1 and 8 slots: how early the final results come`,
  variants: [{ name: SUBJECT }, { name: 'p-graph' }, { name: 'async.auto', capSeconds: 60 }],
  sizes: [1, 8],
  sizeLabel: (slots) => `${slots} slot${slots === 1 ? '' : 's'}`,
  run,
  summarize,
};
