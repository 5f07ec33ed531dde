/**
 * Real parallelism with `threads()`: CPU-bound tasks (counting primes, a few hundred ms each)
 * on 1 and 2 worker threads, and trivial-task round trips through `threads()` against calling
 * Piscina directly. This file is also the task module the workers load (`countPrimes`, `echo`).
 *
 * Pools are started and warmed (every worker has loaded this module) before the timed part,
 * for smqsched and Piscina alike, so the figures are of running tasks, not of starting threads.
 */
import { availableParallelism } from 'node:os';
import { measure, toRunResult } from '../measure.js';
import { type GroupResult, type RunResult, type Scenario, SUBJECT } from '../scenario.js';
import { findGroup, formatNumber, formatRatio, medianMs } from '../stats.js';

/** Counts the primes below `limit` by trial division: pure CPU, about 0.35 s for 2,000,000. */
export function countPrimes(limit: number): number {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

/** A trivial task: the round trip is all there is to it. */
export function echo(value: number): number {
  return value;
}

/** The size that selects the CPU-bound run: this many prime counts. */
const CPU_TASKS = 8;
/** The size that selects the round-trip run: this many trivial tasks. */
const ROUND_TRIPS = 20_000;
const PRIME_LIMIT = 2_000_000;
const PRIMES_BELOW_LIMIT = 148_933;
const SPEEDUP_TARGET = 1.9;
const ROUND_TRIP_TARGET = 0.8;

const SMQ_ONE = 'smqsched 1 thread';
const PISCINA = 'piscina';
const PISCINA_ONE = 'piscina 1 thread';
const HERE = new URL(import.meta.url);

/** Runs `count` tasks on smqsched's `threads()` with `workers` threads; the timed part only. */
async function smqschedRun(workers: number, size: number): Promise<RunResult> {
  const { Queue, Scheduler, task, threads } = await import('../../dist/index.js');
  const primes = task<typeof countPrimes>(HERE, 'countPrimes');
  const trivial = task<typeof echo>(HERE, 'echo');
  const sch = new Scheduler();
  const Q = new Queue(sch, { concurrency: workers, executor: threads() });
  sch.start();
  for (let i = 0; i < workers; i++) Q.submit(trivial, i); // warm: every worker loads this module
  await sch.wait();
  const measured = await measure(async () => {
    const last =
      size === CPU_TASKS
        ? Array.from({ length: size }, () => Q.submit(primes, PRIME_LIMIT)).at(-1)
        : Array.from({ length: size }, (_, i) => Q.submit(trivial, i)).at(-1);
    await sch.wait();
    return last?.result();
  });
  await sch.close();
  check(measured.value, size);
  return toRunResult(measured, size);
}

/** The same work through Piscina directly, all tasks handed to it at once. */
async function piscinaRun(workers: number, size: number): Promise<RunResult> {
  const { Piscina } = await import('piscina');
  // `name`: the export a worker loads as it starts (Piscina's default, `default`, is missing).
  const pool = new Piscina({
    filename: HERE.href,
    name: 'echo',
    minThreads: workers,
    maxThreads: workers,
  });
  await Promise.all(Array.from({ length: workers }, (_, i) => pool.run(i, { name: 'echo' })));
  const measured = await measure(async () => {
    const runs =
      size === CPU_TASKS
        ? Array.from({ length: size }, () => pool.run(PRIME_LIMIT, { name: 'countPrimes' }))
        : Array.from({ length: size }, (_, i) => pool.run(i, { name: 'echo' }));
    return (await Promise.all(runs)).at(-1) as number;
  });
  await pool.destroy();
  check(measured.value, size);
  return toRunResult(measured, size);
}

function check(value: unknown, size: number): void {
  const expected = size === CPU_TASKS ? PRIMES_BELOW_LIMIT : size - 1;
  if (value !== expected)
    throw new Error(`cpu: the last task gave ${value}, expected ${expected}.`);
}

function run(variant: string, size: number): Promise<RunResult> {
  if (variant === SUBJECT) return smqschedRun(2, size);
  if (variant === SMQ_ONE) return smqschedRun(1, size);
  if (variant === PISCINA) return piscinaRun(2, size);
  return piscinaRun(1, size);
}

/** How much faster 2 threads are than 1: the median time on 1 over the median on 2. */
function speedup(groups: readonly GroupResult[], one: string, two: string): number | undefined {
  const oneMs = medianMs(findGroup(groups, one, CPU_TASKS));
  const twoMs = medianMs(findGroup(groups, two, CPU_TASKS));
  return oneMs === undefined || twoMs === undefined ? undefined : oneMs / twoMs;
}

function summarize(groups: readonly GroupResult[]): string[] {
  const lines: string[] = [];
  const ours = speedup(groups, SMQ_ONE, SUBJECT);
  const theirs = speedup(groups, PISCINA_ONE, PISCINA);
  if (ours !== undefined) {
    const verdict = ours >= SPEEDUP_TARGET ? 'met' : 'MISSED';
    const peer = theirs === undefined ? '' : `; Piscina alone: ${formatRatio(theirs)}x`;
    lines.push(
      `speedup of ${CPU_TASKS} prime counts, 1 -> 2 threads: ${formatRatio(ours)}x ` +
        `(target >= ${SPEEDUP_TARGET}: ${verdict})${peer}`,
    );
  }
  const smqMs = medianMs(findGroup(groups, SUBJECT, ROUND_TRIPS));
  const piscinaMs = medianMs(findGroup(groups, PISCINA, ROUND_TRIPS));
  if (smqMs !== undefined && piscinaMs !== undefined) {
    const ratio = piscinaMs / smqMs;
    const rate = (ms: number) => formatNumber((ROUND_TRIPS / ms) * 1000);
    lines.push(
      `trivial round trips on 2 threads: threads() ${rate(smqMs)}/s, Piscina directly ` +
        `${rate(piscinaMs)}/s: ${formatRatio(ratio)}x ` +
        `(target >= ${ROUND_TRIP_TARGET}: ${ratio >= ROUND_TRIP_TARGET ? 'met' : 'MISSED'})`,
    );
  }
  if (availableParallelism() < 2) lines.push('(this machine has fewer than 2 cores)');
  return lines;
}

export const cpu: Scenario = {
  name: 'cpu',
  description: `threads(): ${CPU_TASKS} prime counts (CPU-bound) on 1 vs 2 threads; ${formatNumber(ROUND_TRIPS)} trivial round trips vs Piscina directly`,
  variants: [
    { name: SUBJECT },
    { name: SMQ_ONE, sizes: [CPU_TASKS] },
    { name: PISCINA },
    { name: PISCINA_ONE, sizes: [CPU_TASKS] },
  ],
  sizes: [CPU_TASKS, ROUND_TRIPS],
  sizeLabel: (size) => (size === CPU_TASKS ? `${size} x primes` : `${formatNumber(size)} x echo`),
  run,
  summarize,
};
