/**
 * `smqsched demo`: runs the examples shipped in `dist/examples` one after another with live
 * per-queue progress, prints for each the time to its first final result and its total time,
 * and writes the timeline report of all of them. The examples are plain user code
 * (`examples/*.ts`); the demo only drives them, through their `onScheduler` and `log` options.
 */
import { resolve } from 'node:path';
import { writeReport } from '../observe/report.js';
import type { Timeline } from '../observe/timeline.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import { LiveProgress } from './progress.js';

/** Where the report goes unless `--report FILE` says otherwise. */
export const DEFAULT_REPORT = 'smqsched-report.html';

/** What the demo gives every example's entry function. */
interface ExampleHooks {
  onScheduler: (sch: Scheduler) => void;
  log: (line: string) => void;
}

type ExampleEntry = (options: Record<string, unknown> & ExampleHooks) => Promise<unknown>;

interface DemoExample {
  /** File under dist/examples, and the name of its exported entry function. */
  readonly name: string;
  readonly describe: string;
  readonly options: Record<string, unknown>;
  /** Small sizes for `--quick` (tests). */
  readonly quick: Record<string, unknown>;
}

const EXAMPLES: readonly DemoExample[] = [
  {
    name: 'matrices',
    describe: '100 random 100x100 matrices, their inverses, and all 10,000 products',
    options: { n: 100 },
    quick: { n: 6, size: 20 },
  },
  {
    name: 'instrument',
    describe: 'an instrument queue of 1 (10 ms a shot, held until read out) feeds a compute queue',
    options: { shots: 16 },
    quick: { shots: 3, shotMs: 2 },
  },
  {
    name: 'minima',
    describe: 'a generator finds the local minima of 100,000 points; each is printed as found',
    options: { length: 100_000 },
    quick: { length: 2000 },
  },
];

/** The demo's command line, parsed. */
interface DemoArgs {
  readonly names: string[];
  readonly report: string | undefined;
  readonly quick: boolean;
}

function parseArgs(argv: readonly string[]): DemoArgs | string {
  const names: string[] = [];
  let report: string | undefined = DEFAULT_REPORT;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--report') {
      const file = argv[++i];
      if (file === undefined || file === '') return '--report needs a file name';
      report = file;
    } else if (arg.startsWith('--report=')) {
      report = arg.slice('--report='.length);
      if (report === '') return '--report needs a file name';
    } else if (arg === '--no-report') report = undefined;
    else if (arg === '--quick') quick = true;
    else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else if (!EXAMPLES.some((e) => e.name === arg)) {
      return `unknown example ${arg}; choose from ${EXAMPLES.map((e) => e.name).join(', ')}`;
    } else names.push(arg);
  }
  return { names, report, quick };
}

/** Milliseconds from the first task's start to the first final result and to the end. */
function measure(timeline: Timeline): { firstMs: number; totalMs: number } {
  const c = timeline.columns;
  if (c.spanStart.length === 0) return { firstMs: Number.NaN, totalMs: 0 };
  const origin = c.spanStart[0] as number;
  let end = origin;
  for (let s = 0; s < c.spanEnd.length; s++) end = Math.max(end, c.spanEnd[s] as number);
  const first = timeline.finalResultTimes()[0];
  return { firstMs: first === undefined ? Number.NaN : first - origin, totalMs: end - origin };
}

/** Runs one example under live progress; returns its scheduler's timeline. */
async function runExample(example: DemoExample, quick: boolean): Promise<Timeline> {
  const url = new URL(`../examples/${example.name}.js`, import.meta.url);
  const module = (await import(url.href)) as Record<string, ExampleEntry>;
  const entry = module[example.name] as ExampleEntry;
  const progress = new LiveProgress(example.name);
  let scheduler: Scheduler | undefined;
  try {
    await entry({
      ...(quick ? example.quick : example.options),
      onScheduler: (sch) => {
        scheduler = sch;
        progress.watch(sch);
      },
      log: (line) => progress.log(`  ${line}`),
    });
  } finally {
    progress.stop();
  }
  if (scheduler === undefined) throw new Error(`Example ${example.name} made no scheduler.`);
  return scheduler.timeline();
}

/** Runs the demo with the given command-line options; returns the exit code. */
export async function runDemo(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`smqsched demo: ${args}. Run smqsched --help.\n`);
    return 2;
  }
  const chosen =
    args.names.length === 0 ? EXAMPLES : EXAMPLES.filter((e) => args.names.includes(e.name));
  const sections: { title: string; timeline: Timeline }[] = [];
  const summary: string[] = [];
  for (const example of chosen) {
    const sizes = args.quick ? ' (--quick: at small sizes)' : '';
    console.log(`\n== ${example.name}: ${example.describe}${sizes}`);
    const timeline = await runExample(example, args.quick);
    sections.push({ title: `${example.name}: ${example.describe}`, timeline });
    const { firstMs, totalMs } = measure(timeline);
    summary.push(
      `${example.name.padEnd(10)} ${String(timeline.taskCount).padStart(7)} tasks   first final result after ${firstMs.toFixed(1).padStart(7)} ms   all done after ${totalMs.toFixed(0).padStart(6)} ms`,
    );
  }
  console.log(`\n${summary.join('\n')}`);
  console.log('(times from the first task start; a final result is a task no other task needs)');
  if (args.report !== undefined) {
    const file = resolve(args.report);
    await writeReport(sections, file, { title: 'smqsched demo: timeline report' });
    console.log(`\nTimeline report: ${file} (open it in a browser)`);
  }
  return 0;
}
