/**
 * The seed's first example: invert 100 random matrices, then multiply every pair of inverses.
 * The scheduler starts first what leads to the newest results, so products arrive from the
 * first milliseconds on, not after all inversions.
 *
 * With `--threads` the same graph runs on worker threads, one per core: the tasks are
 * references to the exports of ./lib/linalg.js (`task()`), the matrices are copied to the
 * workers and their results moved back. It prints how many cores were busy on average. At the
 * seed's size the threads keep both cores busy (about 1.6 on this 2-core machine) but finish
 * later than inline: a product of two 100x100 matrices (0.09 ms) costs less than copying its
 * operands to a thread and waiting for the answer. With larger matrices the inversions (O(n^3))
 * dominate and threads win: `--threads 30 300` takes 2.3 s (1.8 cores) against 2.6 s inline.
 *
 * Run: `npm run build && node dist/examples/matrices.js [--threads] [n] [size]` (or
 * `node --import tsx examples/matrices.ts ...`); `npm start` runs it as part of the demo.
 */
import { pathToFileURL } from 'node:url';
import { asCompleted, type Future, Queue, Scheduler, task, threads } from 'smqsched';
import * as linalg from './lib/linalg.js';
import { type Matrix, total } from './lib/linalg.js';

/** The operations the graph is made of, run here or in workers. */
interface LinearAlgebra {
  randomMatrix(n: number): Matrix | Promise<Matrix>;
  invert(m: Matrix): Matrix | Promise<Matrix>;
  multiply(a: Matrix, b: Matrix): Matrix | Promise<Matrix>;
}

const LINALG = new URL('./lib/linalg.js', import.meta.url);

/** The same operations as task references: a worker imports ./lib/linalg.js and calls them. */
const inWorkers: LinearAlgebra = {
  randomMatrix: task<typeof linalg.randomMatrix>(LINALG, 'randomMatrix'),
  invert: task<typeof linalg.invert>(LINALG, 'invert'),
  multiply: task<typeof linalg.multiply>(LINALG, 'multiply'),
};

/** Options of `matrices()`. */
export interface MatricesOptions {
  /** How many matrices (the seed: 100, so 10,000 products). */
  n?: number;
  /** Matrix size (the seed: 100). */
  size?: number;
  /** Run the tasks on worker threads (`threads()`), one per core. */
  threads?: boolean;
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
  /** CPU time of the whole process (all threads) over the wall time: the cores kept busy. */
  coresBusy: number;
}

export async function matrices(options: MatricesOptions = {}): Promise<MatricesReport> {
  const { n = 100, size = 100, log = console.log } = options;
  const { randomMatrix, invert, multiply }: LinearAlgebra = options.threads ? inWorkers : linalg;
  const sch = new Scheduler();
  const Q = new Queue(sch, {
    name: 'compute',
    ...(options.threads ? { executor: threads() } : {}),
  });
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
  const cpu0 = process.cpuUsage();
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
  const totalMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await sch.close();
  const coresBusy = (cpu.user + cpu.system) / 1000 / totalMs;
  return { tasks: 2 * n + n * n, firstResultMs, totalMs, coresBusy };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const [n = 100, size = 100] = args.filter((arg) => !arg.startsWith('--')).map(Number);
  const report = await matrices({ n, size, threads: args.includes('--threads') });
  console.log(
    `${report.tasks} tasks; first result after ${report.firstResultMs.toFixed(1)} ms, all after ${report.totalMs.toFixed(0)} ms; ${report.coresBusy.toFixed(2)} cores busy on average`,
  );
}
