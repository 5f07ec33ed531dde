/**
 * `npm run bench [-- NAME...] [--runs N] [--json FILE]`: runs the selected scenarios, each
 * (variant, size) several times in fresh child processes, and prints a table per scenario
 * with smqsched's median time over each peer's.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { runChild } from './child.js';
import { type BenchOptions, parseOptions, USAGE } from './options.js';
import { formatScenario, LEGEND } from './report.js';
import type { GroupResult, Outcome, RunResult, Scenario, VariantSpec } from './scenario.js';
import { scenarios, selectScenarios } from './scenarios/index.js';
import { formatNumber } from './stats.js';

/** The runs of one (variant, size) pair, filled in as its children end. */
interface Group {
  readonly spec: VariantSpec;
  readonly size: number;
  readonly runs: RunResult[];
  outcome: Outcome;
}

function describeScenarios(): string {
  return scenarios
    .map((s) => {
      const variants = s.variants.map((v) => v.name).join(', ');
      const sizes = s.sizes.map((size) => s.sizeLabel?.(size) ?? formatNumber(size)).join(', ');
      return `${s.name}: ${s.description}\n  variants: ${variants}\n  sizes: ${sizes}`;
    })
    .join('\n');
}

function planGroups(scenario: Scenario, options: BenchOptions): Group[] {
  const chosen = scenario.variants.filter(
    (v) => options.variants.length === 0 || options.variants.some((p) => v.name.startsWith(p)),
  );
  return scenario.sizes.flatMap((size) =>
    chosen
      .filter((spec) => spec.sizes === undefined || spec.sizes.includes(size))
      .map((spec): Group => ({ spec, size, runs: [], outcome: { kind: 'ok' } })),
  );
}

function progress(scenario: Scenario, group: Group, run: number, runs: number, note: string) {
  const size = scenario.sizeLabel?.(group.size) ?? formatNumber(group.size);
  process.stderr.write(
    `  ${scenario.name} ${group.spec.name} ${size} run ${run}/${runs}: ${note}\n`,
  );
}

/**
 * Runs the scenario's groups round by round (every variant once, then again) so that drift
 * in the machine's speed spreads over all variants. A group that timed out or crashed is not
 * run again.
 */
async function runScenario(scenario: Scenario, options: BenchOptions): Promise<GroupResult[]> {
  const groups = planGroups(scenario, options);
  for (let run = 1; run <= options.runs; run++) {
    for (const group of groups) {
      if (group.outcome.kind !== 'ok') continue;
      const capSeconds = group.spec.capSeconds ?? options.timeoutSeconds;
      const job = { scenario: scenario.name, variant: group.spec.name, size: group.size };
      const outcome = await runChild({ ...job, capSeconds });
      if (outcome.kind === 'ok') {
        group.runs.push(outcome.result);
        progress(scenario, group, run, options.runs, `${formatNumber(outcome.result.ms, 1)} ms`);
      } else {
        group.outcome = outcome;
        const note = outcome.kind === 'timeout' ? `killed after ${capSeconds} s` : outcome.message;
        progress(scenario, group, run, options.runs, note);
      }
    }
  }
  return groups.map((g) => ({
    variant: g.spec.name,
    size: g.size,
    runs: g.runs,
    outcome: g.outcome,
  }));
}

function machine() {
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    parallelism: availableParallelism(),
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const options = parseOptions(argv);
  if (options.help) return console.log(USAGE);
  if (options.list) return console.log(describeScenarios());
  const selected = selectScenarios(options.names);
  const started = performance.now();
  const info = machine();
  console.log(
    `smqsched bench: ${info.node}, ${info.platform}, ${info.cpu} x${info.parallelism}; ` +
      `runs per variant and size: ${options.runs}\n`,
  );
  const results: { scenario: string; groups: GroupResult[] }[] = [];
  for (const scenario of selected) {
    const groups = await runScenario(scenario, options);
    results.push({ scenario: scenario.name, groups });
    console.log(`${formatScenario(scenario, groups)}\n`);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`${LEGEND}\n\nTotal wall time: ${formatNumber(seconds, 1)} s`);
  if (options.json !== undefined) {
    const report = {
      date: new Date().toISOString(),
      ...info,
      runs: options.runs,
      seconds,
      results,
    };
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Raw figures written to ${options.json}`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
