/**
 * The seed's first example: invert 100 random matrices, then multiply every pair of inverses.
 * The scheduler starts first what leads to the newest results, so products arrive from the
 * first milliseconds on, not after all inversions.
 *
 * Run: `npm run build && node --import tsx examples/matrices.ts [n]`; `npm start` runs it as
 * part of the demo.
 */
import { pathToFileURL } from 'node:url';
import { asCompleted, type Future, Queue, Scheduler } from 'smqsched';
import { invert, type Matrix, multiply, randomMatrix, total } from './lib/linalg.js';

/** Options of `matrices()`. */
export interface MatricesOptions {
  /** How many matrices (the seed: 100, so 10,000 products). */
  n?: number;
  /** Matrix size (the seed: 100). */
  size?: number;
  /** Called with the scheduler before it starts, e.g. to watch its events. */
  onScheduler?: (sch: Scheduler) => void;
  /** Where lines of output go. */
  log?: (line: string) => void;
}

/** What `matrices()` measured. */
export interface MatricesReport {
  tasks: number;
  firstResultMs: number;
  totalMs: number;
}

export async function matrices(options: MatricesOptions = {}): Promise<MatricesReport> {
  const { n = 100, size = 100, log = console.log } = options;
  const sch = new Scheduler();
  const Q = new Queue(sch, { name: 'compute' });
  const A: Future<Matrix>[] = [];
  const B: Future<Matrix>[] = [];
  const C: Future<Matrix>[] = [];
  for (let i = 0; i < n; i++) {
    A[i] = Q.submit(randomMatrix, size);
    B[i] = Q.submit(invert, A[i] as Future<Matrix>);
  }
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      C[i * n + k] = Q.options({ name: `C[${i * n + k}]` }).submit(
        multiply,
        B[i] as Future<Matrix>,
        B[k] as Future<Matrix>,
      );
    }
  }
  options.onScheduler?.(sch);
  const t0 = performance.now();
  sch.start();
  let firstResultMs = Number.NaN;
  let delivered = 0;
  for await (const c of asCompleted(C)) {
    if (delivered === 0) firstResultMs = performance.now() - t0;
    delivered++;
    if (delivered <= 3 || delivered % (n * 10) === 0) {
      const ms = (performance.now() - t0).toFixed(0);
      log(
        `${ms} ms: result ${delivered}/${C.length}, ${c.name} sums to ${total(c.result()).toExponential(3)}`,
      );
    }
  }
  await sch.wait();
  await sch.close();
  return { tasks: 2 * n + n * n, firstResultMs, totalMs: performance.now() - t0 };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await matrices({ n: Number(process.argv[2] ?? 100) });
  console.log(
    `${report.tasks} tasks; first result after ${report.firstResultMs.toFixed(1)} ms, all after ${report.totalMs.toFixed(0)} ms`,
  );
}
