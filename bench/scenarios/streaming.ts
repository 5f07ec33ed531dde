/**
 * Progressive output: a generator task yields `size` items and a dependent task per item,
 * submitted with `stream.at(i)` before the run, starts as soon as its item exists (the seed's
 * minima example with trivial work). Items per second end to end, the time to the first
 * dependent's run, and what an item costs beyond a plain loop.
 *
 * `smqsched gen alone` streams the items with no dependents (`await stream`): what the
 * interleaving of a sync generator with the event loop costs per item.
 *
 * Peers in the same run: `loop` (the generator consumed by a plain `for...of` that calls the
 * dependent's function: no scheduler, no order, no futures; the floor) and `p-queue`
 * (`for...of` over the generator, `queue.add(() => use(v))` per item, concurrency 8).
 */
import { measure, toRunResult } from '../measure.js';
import type { GroupResult, RunResult, Scenario } from '../scenario.js';
import { SUBJECT } from '../scenario.js';
import { findGroup, formatNumber, formatRatio, medianExtra, medianMs } from '../stats.js';

const CONCURRENCY = 8;
const SMQ_ASYNC = 'smqsched async gen';
const SMQ_ALONE = 'smqsched gen alone';
const LOOP = 'loop';
const P_QUEUE = 'p-queue';
const FIRST = 'firstDependentMs';

function* items(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

async function* asyncItems(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/**
 * The work of a dependent: trivial, with a running sum so nothing is optimized away. It notes
 * when it first runs, counted from `start` (set by the variant where its clock starts).
 */
class Work {
  start = 0;
  firstAt = Number.NaN;
  #sum = 0;

  readonly use = (value: number): number => {
    if (Number.isNaN(this.firstAt)) this.firstAt = performance.now() - this.start;
    this.#sum += value;
    return value;
  };

  get sum(): number {
    return this.#sum;
  }
}

/** What every variant's sum must be: 0 + 1 + ... + (n - 1). */
const expectedSum = (n: number): number => (n * (n - 1)) / 2;

/** Measures one variant's `body`, checks the sum, and reports the first dependent's time. */
async function timedRun(size: number, body: (work: Work) => Promise<void>): Promise<RunResult> {
  const work = new Work();
  const measured = await measure(async () => {
    work.start = performance.now();
    await body(work);
    return work.sum;
  });
  check(measured.value, size);
  return toRunResult(measured, size, { [FIRST]: work.firstAt });
}

/**
 * smqsched: the generator and a dependent per item are submitted, then `start()`; the time to
 * the first dependent counts from `start()`. With `alone`, no dependents: what streaming the
 * items themselves costs (the sync generator driven in slices, an array of values).
 */
async function smqschedRun(size: number, asynchronous: boolean, alone = false): Promise<RunResult> {
  const { Queue, Scheduler } = await import('../../dist/index.js');
  return timedRun(size, async (work) => {
    const sch = new Scheduler({ record: false });
    const Q = new Queue(sch, { concurrency: CONCURRENCY });
    const stream = asynchronous ? Q.submit(asyncItems, size) : Q.submit(items, size);
    if (!alone) for (let i = 0; i < size; i++) Q.submit(work.use, stream.at(i));
    work.start = performance.now();
    sch.start();
    if (alone) for (const value of await stream) work.use(value);
    else await sch.wait();
  });
}

function loopRun(size: number): Promise<RunResult> {
  return timedRun(size, async (work) => {
    for (const value of items(size)) work.use(value);
  });
}

async function pQueueRun(size: number): Promise<RunResult> {
  const { default: PQueue } = await import('p-queue');
  return timedRun(size, async (work) => {
    const queue = new PQueue({ concurrency: CONCURRENCY });
    for (const value of items(size)) queue.add(() => work.use(value));
    await queue.onIdle();
  });
}

function check(sum: number, size: number): void {
  if (sum !== expectedSum(size)) {
    throw new Error(`streaming: the dependents summed to ${sum}, expected ${expectedSum(size)}.`);
  }
}

function run(variant: string, size: number): Promise<RunResult> {
  if (variant === SUBJECT) return smqschedRun(size, false);
  if (variant === SMQ_ASYNC) return smqschedRun(size, true);
  if (variant === SMQ_ALONE) return smqschedRun(size, false, true);
  if (variant === P_QUEUE) return pQueueRun(size);
  return loopRun(size);
}

function summarize(groups: readonly GroupResult[]): string[] {
  const lines: string[] = [];
  const sizes = [...new Set(groups.map((group) => group.size))];
  for (const size of sizes) {
    const loopMs = medianMs(findGroup(groups, LOOP, size));
    for (const variant of [SUBJECT, SMQ_ASYNC, SMQ_ALONE, P_QUEUE]) {
      const group = findGroup(groups, variant, size);
      const ms = medianMs(group);
      if (ms === undefined) continue;
      const rate = formatNumber((size / ms) * 1000);
      const perItem =
        loopMs === undefined
          ? ''
          : `, ${formatNumber(((ms - loopMs) * 1e6) / size)} ns per item over the loop`;
      const first = medianExtra(group, FIRST);
      const firstText =
        first === undefined || variant === SMQ_ALONE
          ? ''
          : `, first dependent ran ${formatNumber(first, 2)} ms ${variant.startsWith(SUBJECT) ? 'after start()' : 'after the first add'}`;
      lines.push(`${formatNumber(size)} items, ${variant}: ${rate} items/s${perItem}${firstText}`);
    }
    const smq = medianMs(findGroup(groups, SUBJECT, size));
    const pq = medianMs(findGroup(groups, P_QUEUE, size));
    if (smq !== undefined && pq !== undefined) {
      lines.push(
        `${formatNumber(size)} items: smqsched is ${formatRatio(pq / smq)}x p-queue's throughput`,
      );
    }
  }
  return lines;
}

export const streaming: Scenario = {
  name: 'streaming',
  description: `a generator of n items, a dependent task per item through stream.at(i), concurrency ${CONCURRENCY}`,
  variants: [
    { name: SUBJECT },
    { name: SMQ_ASYNC },
    { name: SMQ_ALONE },
    { name: P_QUEUE },
    { name: LOOP },
  ],
  sizes: [100_000, 1_000_000],
  run,
  summarize,
};
