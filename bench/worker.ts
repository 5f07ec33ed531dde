/**
 * Runs one measurement in this (fresh) process and prints it as a tagged JSON line:
 * `node --expose-gc --import tsx bench/worker.ts <scenario> <variant> <size>`.
 * Run it by hand with `--cpu-prof` to profile one variant.
 */
import { RESULT_TAG } from './protocol.js';
import { scenarioNamed } from './scenarios/index.js';

async function main(argv: readonly string[]): Promise<void> {
  const [name, variant, sizeText] = argv;
  if (name === undefined || variant === undefined || sizeText === undefined) {
    throw new TypeError('Usage: worker.ts <scenario> <variant> <size>');
  }
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new RangeError(`Expected the size to be a positive integer, got '${sizeText}'.`);
  }
  const scenario = scenarioNamed(name);
  if (!scenario.variants.some((v) => v.name === variant)) {
    const known = scenario.variants.map((v) => v.name).join(', ');
    throw new RangeError(`Scenario ${name} has no variant '${variant}'; known: ${known}.`);
  }
  const result = await scenario.run(variant, size);
  process.stdout.write(`${RESULT_TAG}${JSON.stringify(result)}\n`);
}

try {
  await main(process.argv.slice(2));
  process.exit(0);
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
}
