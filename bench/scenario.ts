/**
 * The contract between the harness and a scenario. A scenario is one file under
 * `bench/scenarios/`, listed in `bench/scenarios/index.ts`; the harness runs each (variant,
 * size) pair in a fresh child process (`bench/worker.ts`) and prints a table per scenario.
 *
 * To add a scenario (results-first, instrument, CPU-bound threads, cluster, ...): write an
 * object that satisfies `Scenario` (for task graphs, `graphScenario()` does most of the work)
 * and add it to the list in `scenarios/index.ts`.
 */

/** The variant every other variant is compared with. */
export const SUBJECT = 'smqsched';

/** One implementation measured by a scenario: smqsched itself or a peer library. */
export interface VariantSpec {
  /** Shown in the table; `SUBJECT` for smqsched. */
  readonly name: string;
  /** Sizes this variant runs at (default: all of the scenario's sizes). */
  readonly sizes?: readonly number[];
  /**
   * Seconds after which a run is killed and reported as 'did not finish in Xs' (for peers
   * known to be quadratic). Default: the harness's `--timeout`.
   */
  readonly capSeconds?: number;
}

/** What one measured run reports. */
export interface RunResult {
  /** Tasks executed. */
  readonly tasks: number;
  /** Milliseconds from the first submission to the end of the run (all tasks settled). */
  readonly ms: number;
  /**
   * Peak memory: the child's maximum resident set size at the end of the run minus its RSS
   * just before the first submission, in MiB.
   */
  readonly peakRssDeltaMb: number;
  /** V8 heap used at the end of the run (before any gc) minus the heap used before, in MiB. */
  readonly heapUsedDeltaMb: number;
  /** Further scenario-specific figures (for example bytes per pending task), by name. */
  readonly extra?: Readonly<Record<string, number>>;
}

/** How a batch of runs of one (variant, size) pair ended. */
export type Outcome =
  | { readonly kind: 'ok' }
  | { readonly kind: 'timeout'; readonly seconds: number }
  | { readonly kind: 'crashed'; readonly message: string };

/** All the runs of one variant at one size. */
export interface GroupResult {
  readonly variant: string;
  readonly size: number;
  readonly runs: readonly RunResult[];
  readonly outcome: Outcome;
}

/** A benchmark scenario, run by the harness one (variant, size) pair per child process. */
export interface Scenario {
  /** Selects the scenario on the command line (`npm run bench -- NAME`). */
  readonly name: string;
  /** One line on what is measured. */
  readonly description: string;
  readonly variants: readonly VariantSpec[];
  readonly sizes: readonly number[];
  /** How a size reads in the table (default: the number itself). */
  sizeLabel?(size: number): string;
  /** Runs one measurement, in the current (fresh) process. */
  run(variant: string, size: number): Promise<RunResult>;
  /** Extra lines printed under the scenario's table (for example a scaling ratio). */
  summarize?(groups: readonly GroupResult[]): string[];
}
