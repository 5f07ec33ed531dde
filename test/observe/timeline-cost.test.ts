/**
 * What recording costs per task: the same trivial tasks with `record: true` and with
 * `record: false`, in alternating runs in one process, median of the paired differences.
 * `npm test` runs it small, as a guard; for the figures in the README run it larger against
 * the built package:
 *
 *   npm run build && SMQ_COST_FROM=dist SMQ_COST_TASKS=200000 SMQ_COST_ROUNDS=15 \
 *     node --expose-gc --import tsx --test test/observe/timeline-cost.test.ts
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type * as Api from '../../src/index.js';

const FROM = process.env.SMQ_COST_FROM === 'dist' ? 'smqsched' : '../../src/index.js';
const TASKS = Number(process.env.SMQ_COST_TASKS ?? 30_000);
const ROUNDS = Number(process.env.SMQ_COST_ROUNDS ?? 5);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

type Shape = 'independent' | 'chain';

/** Nanoseconds per task, from the first submit to the end of `wait()`. */
async function perTask(api: typeof Api, shape: Shape, record: boolean): Promise<number> {
  const sch = new api.Scheduler({ record });
  const Q = new api.Queue(sch, { concurrency: 8 });
  const leaf = (): number => 1;
  const step = (x: number): number => x + 1;
  gc();
  const began = performance.now();
  if (shape === 'independent') {
    for (let i = 0; i < TASKS; i++) Q.submit(leaf);
  } else {
    let last = Q.submit(leaf);
    for (let i = 1; i < TASKS; i++) last = Q.submit(step, last);
  }
  sch.start();
  await sch.wait();
  return ((performance.now() - began) * 1e6) / TASKS;
}

describe('what recording costs', () => {
  for (const shape of ['independent', 'chain'] as const) {
    test(`${shape} trivial tasks, recording on vs off`, async (t) => {
      const api = (await import(FROM)) as typeof Api;
      await perTask(api, shape, true); // warm up both paths
      await perTask(api, shape, false);
      const on: number[] = [];
      const off: number[] = [];
      const cost: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const without = await perTask(api, shape, false);
        const withIt = await perTask(api, shape, true);
        off.push(without);
        on.push(withIt);
        cost.push(withIt - without);
      }
      t.diagnostic(
        `${shape}, ${TASKS} tasks x ${ROUNDS} rounds (${FROM === 'smqsched' ? 'dist' : 'src'}): off ${median(off).toFixed(0)} ns/task, on ${median(on).toFixed(0)} ns/task, recording costs ${median(cost).toFixed(0)} ns/task (median of paired runs)`,
      );
      // A guard against an accident (an object per event, a scan per task), not a benchmark:
      // recording must not double the cost of the cheapest possible task.
      assert.ok(median(on) < 2 * median(off) + 500, 'recording at most doubles a trivial task');
    });
  }
});
