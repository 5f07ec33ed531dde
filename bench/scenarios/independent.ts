import { graphScenario } from '../graph-scenario.js';
import { retainedBytesPer } from '../measure.js';
import type { GraphRunner } from '../runners/graph-runner.js';
import { type GroupResult, SUBJECT } from '../scenario.js';
import { findGroup, formatNumber, medianExtra, verdict } from '../stats.js';

const SIZE = 1_000_000;
/** Heap bytes one submitted, not yet started task may cost the scheduler. */
const PENDING_BYTES_TARGET = 512;
const PENDING = 'bytesPerPendingTask';
const PENDING_KEPT = 'bytesPerPendingTaskFuturesKept';

const one = (): number => 1;

/** Independent tasks: nothing depends on anything. */
function build<H>(graph: GraphRunner<H>, size: number): H {
  let last = graph.task(one);
  for (let i = 1; i < size; i++) last = graph.task(one);
  return last;
}

/**
 * Heap bytes per pending smqsched task: submit `size` tasks without starting, after a gc, and
 * divide the growth of the heap used. Once with the futures dropped (what the scheduler itself
 * keeps), once with the caller keeping every future in an array.
 */
async function pendingBytes(variant: string, size: number) {
  if (variant !== SUBJECT) return undefined;
  const { Queue, Scheduler } = await import('../../dist/index.js');
  const submitAll = (keep: boolean) => () => {
    const scheduler = new Scheduler();
    const queue = new Queue(scheduler, { concurrency: 8 });
    const futures: unknown[] = [];
    for (let i = 0; i < size; i++) {
      const future = queue.submit(one);
      if (keep) futures.push(future);
    }
    return { scheduler, queue, futures };
  };
  return {
    [PENDING]: retainedBytesPer(size, submitAll(false)),
    [PENDING_KEPT]: retainedBytesPer(size, submitAll(true)),
  };
}

function summarize(groups: readonly GroupResult[]): string[] {
  const subject = findGroup(groups, SUBJECT, SIZE);
  const dropped = medianExtra(subject, PENDING);
  const kept = medianExtra(subject, PENDING_KEPT);
  if (dropped === undefined || kept === undefined) return [];
  return [
    `${SUBJECT} memory per pending task (heap used after gc / ${formatNumber(SIZE)}, not ` +
      `started): ${formatNumber(dropped)} B with the futures dropped ` +
      `(target <= ${PENDING_BYTES_TARGET}: ${verdict(dropped, PENDING_BYTES_TARGET)}), ` +
      `${formatNumber(kept)} B with every future kept in an array`,
  ];
}

export const independent = graphScenario({
  name: 'independent',
  description: '1,000,000 independent trivial tasks, concurrency 8',
  variants: [{ name: SUBJECT }, { name: 'p-limit' }, { name: 'p-queue' }],
  sizes: [SIZE],
  tasks: (size) => size,
  build,
  expected: () => 1,
  extra: pendingBytes,
  summarize,
});
