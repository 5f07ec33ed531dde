import { parseArgs } from 'node:util';

/** The command line of `npm run bench`. */
export interface BenchOptions {
  /** Scenario name prefixes; none selects every scenario. */
  readonly names: readonly string[];
  /** Variant name prefixes; none selects every variant. */
  readonly variants: readonly string[];
  readonly runs: number;
  /** Default cap per child process, in seconds (a variant's own cap wins). */
  readonly timeoutSeconds: number;
  readonly json: string | undefined;
  readonly list: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run bench [-- NAME...] [--runs N] [--json FILE] [options]

  NAME             run the scenarios whose name starts with NAME (default: all)
  --runs N         measurements per variant and size, each in a fresh process (default 5)
  --json FILE      write the raw figures of every run to FILE
  --variant NAME   only the variants whose name starts with NAME (repeatable)
  --timeout S      kill a run after S seconds (default 300; some peers have a lower cap)
  --list           list the scenarios, their variants and sizes
  --help           show this help`;

function positiveInteger(text: string | undefined, option: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`Expected \`--${option}\` to be an integer from 1 and up, got '${text}'.`);
  }
  return value;
}

/** Parses the arguments after `npm run bench --`. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      runs: { type: 'string' },
      json: { type: 'string' },
      variant: { type: 'string', multiple: true },
      timeout: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  return {
    names: positionals,
    variants: values.variant ?? [],
    runs: positiveInteger(values.runs, 'runs', 5),
    timeoutSeconds: positiveInteger(values.timeout, 'timeout', 300),
    json: values.json,
    list: values.list,
    help: values.help,
  };
}
