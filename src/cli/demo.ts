/**
 * `smqsched demo`: runs the examples shipped in `dist/examples` one after another and prints
 * what each measured. The examples are plain user code (`examples/*.ts`); the demo only drives
 * them.
 */

/** What every example's entry function reports. */
interface ExampleReport {
  tasks: number;
  firstResultMs: number;
  totalMs: number;
}

type ExampleEntry = (options: Record<string, unknown>) => Promise<ExampleReport>;

interface DemoExample {
  /** File under dist/examples, and the name of its exported entry function. */
  readonly name: string;
  readonly describe: string;
  readonly options: Record<string, unknown>;
}

const EXAMPLES: readonly DemoExample[] = [
  {
    name: 'matrices',
    describe: '100 random 100x100 matrices, their inverses, and all 10,000 products',
    options: { n: 100 },
  },
  {
    name: 'instrument',
    describe: 'an instrument queue of 1 (10 ms a shot, held until read out) feeds a compute queue',
    options: { shots: 12 },
  },
  {
    name: 'minima',
    describe: 'a generator finds the local minima of 100,000 points; each is printed as found',
    options: { length: 100_000 },
  },
];

/** Runs the demo with the given command-line options; returns the exit code. */
export async function runDemo(argv: readonly string[]): Promise<number> {
  const only = argv.filter((arg) => !arg.startsWith('-'));
  const unknown = only.filter((name) => !EXAMPLES.some((example) => example.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `smqsched demo: unknown example(s) ${unknown.join(', ')}; choose from ${EXAMPLES.map((e) => e.name).join(', ')}.\n`,
    );
    return 2;
  }
  const chosen = only.length === 0 ? EXAMPLES : EXAMPLES.filter((e) => only.includes(e.name));
  const summary: string[] = [];
  for (const example of chosen) {
    console.log(`\n== ${example.name}: ${example.describe}`);
    const url = new URL(`../examples/${example.name}.js`, import.meta.url);
    const module = (await import(url.href)) as Record<string, ExampleEntry>;
    const entry = module[example.name] as ExampleEntry;
    const report = await entry(example.options);
    summary.push(
      `${example.name.padEnd(10)} ${String(report.tasks).padStart(7)} tasks   first final result ${report.firstResultMs.toFixed(1).padStart(8)} ms   all ${report.totalMs.toFixed(0).padStart(6)} ms`,
    );
  }
  console.log(`\n${summary.join('\n')}`);
  return 0;
}
