/**
 * The seed's second example, progressive output: a generator walks a long random signal and
 * yields, for each point, whether it is a local minimum; a printing task per point needs only
 * its own item, so minima are printed while the generator is still going.
 *
 * Run: `npm run build && node --import tsx examples/minima.ts [length]`; `npm start` runs it
 * as part of the demo.
 */
import { pathToFileURL } from 'node:url';
import { Queue, Scheduler } from 'smqsched';

function* findMinima(x: Float64Array): Generator<boolean> {
  yield false;
  for (let i = 1; i < x.length - 1; i++) {
    yield (x[i] as number) < (x[i - 1] as number) && (x[i] as number) < (x[i + 1] as number);
  }
  yield false;
}
/** The seed's `number_of_results`: one item per point, known before the generator runs. */
findMinima.numberOfResults = (x: Float64Array) => x.length;

/** Options of `minima()`. */
export interface MinimaOptions {
  /** How many points (the seed: 100,000). */
  length?: number;
  /** Called with the scheduler before it starts, e.g. to watch its events. */
  onScheduler?: (sch: Scheduler) => void;
  /** Where lines of output go. */
  log?: (line: string) => void;
}

/** What `minima()` measured. */
export interface MinimaReport {
  tasks: number;
  minima: number;
  firstResultMs: number;
  lastItemMs: number;
  totalMs: number;
}

export async function minima(options: MinimaOptions = {}): Promise<MinimaReport> {
  const { length = 100_000, log = console.log } = options;
  const x = Float64Array.from({ length }, () => Math.random());
  const sch = new Scheduler();
  const Q = new Queue(sch, { name: 'compute' });
  let t0 = 0;
  let found = 0;
  let firstResultMs = Number.NaN;
  let lastItemMs = 0;
  const printMinimum = (i: number, isMinimum: boolean): void => {
    if (!isMinimum) return;
    found++;
    if (found === 1) firstResultMs = performance.now() - t0;
    if (found <= 3 || found % 10_000 === 0) {
      log(`${(performance.now() - t0).toFixed(1)} ms: found minimum at ${i} (${found} so far)`);
    }
  };
  const isMinimum = Q.submit(findMinima, x);
  for (let i = 0; i < x.length; i++) Q.submit(printMinimum, i, isMinimum.at(i));
  sch.on('task:item', (event) => {
    lastItemMs = event.time - t0;
  });
  options.onScheduler?.(sch);
  t0 = performance.now();
  sch.start();
  await sch.wait();
  await sch.close();
  return {
    tasks: x.length + 1,
    minima: found,
    firstResultMs,
    lastItemMs,
    totalMs: performance.now() - t0,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await minima({ length: Number(process.argv[2] ?? 100_000) });
  console.log(
    `${report.minima} minima among ${report.tasks - 1} points; first printed after ${report.firstResultMs.toFixed(1)} ms, the generator's last item after ${report.lastItemMs.toFixed(1)} ms, all done after ${report.totalMs.toFixed(0)} ms`,
  );
}
