/**
 * The long run of the arguments-and-results boundary fuzzer (part of `npm run fuzz`):
 *
 *   FUZZ_RUNS=5000 node --import tsx test/reliability/boundary/values-long.ts
 *   FUZZ_SECONDS=300 ...            as many cases as fit
 *   FUZZ_SEED=123 FUZZ_PATH="7:1"   replay a failure (both are printed on failure)
 */
import fc from 'fast-check';
import { valuesProperty } from './values-property.js';

const seed = Number(process.env.FUZZ_SEED ?? (Date.now() ^ (Math.random() * 2 ** 32)) | 0);
const seconds =
  process.env.FUZZ_SECONDS === undefined ? undefined : Number(process.env.FUZZ_SECONDS);
const numRuns = Number(process.env.FUZZ_RUNS ?? (seconds === undefined ? 2000 : 1e9));
const path = process.env.FUZZ_PATH;
console.log(
  `fuzz values: seed ${seed}, ${seconds === undefined ? `${numRuns} cases` : `${seconds} s`}`,
);
const began = performance.now();
const details = await fc.check(valuesProperty(), {
  seed,
  numRuns,
  ...(path === undefined ? {} : { path }),
  ...(seconds === undefined ? {} : { interruptAfterTimeLimit: seconds * 1000 }),
  includeErrorInReport: true,
});
const elapsed = ((performance.now() - began) / 1000).toFixed(1);
if (details.failed) {
  console.error(fc.defaultReportMessage(details));
  console.error(
    `fuzz values: FAILED after ${details.numRuns} cases, ${elapsed} s; replay with FUZZ_SEED=${seed} FUZZ_PATH="${details.counterexamplePath}"`,
  );
  process.exitCode = 1;
} else {
  console.log(`fuzz values: ${details.numRuns} cases passed in ${elapsed} s (seed ${seed})`);
}
