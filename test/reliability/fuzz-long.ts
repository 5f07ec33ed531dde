/**
 * The long run of the model-based fuzzer: `npm run fuzz`.
 *
 *   npm run fuzz                                  10,000 sequences, a fresh seed
 *   FUZZ_RUNS=50000 npm run fuzz                  more sequences
 *   FUZZ_SECONDS=600 npm run fuzz                 as many as fit in 10 minutes
 *   FUZZ_SEED=123 FUZZ_PATH="7:1:0" FUZZ_REPLAY="AAB:V" npm run fuzz
 *                                                 replay a failure (printed on failure)
 *   FUZZ_COMMANDS=80                              longer sequences (default 50)
 *
 * It prints its seed first, so a run that dies can be replayed; fast-check prints the seed,
 * the shrunk sequence and its path when a property fails. Turn every failure found into a
 * regular test in fuzz-regressions.test.ts.
 */
import fc from 'fast-check';
import { fuzzProperty } from './fuzz/property.js';

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new RangeError(`Expected ${name} to be a number, got ${raw}.`);
  return value;
}

const seed = envNumber('FUZZ_SEED') ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
const path = process.env.FUZZ_PATH;
const replayPath = process.env.FUZZ_REPLAY;
const seconds = envNumber('FUZZ_SECONDS');
const numRuns = envNumber('FUZZ_RUNS') ?? (seconds === undefined ? 10_000 : 1_000_000_000);
const maxCommands = envNumber('FUZZ_COMMANDS') ?? 50;

console.log(
  `fuzz: seed ${seed}, ${seconds === undefined ? `${numRuns} sequences` : `${seconds} s budget`}, up to ${maxCommands} commands each`,
);
console.log(`fuzz: replay with FUZZ_SEED=${seed} npm run fuzz`);
const began = performance.now();
let ran = 0;
const property = fuzzProperty(maxCommands, replayPath).afterEach(async (previous) => {
  await previous();
  ran++;
  if (ran % 1000 === 0) {
    console.log(`fuzz: ${ran} sequences, ${((performance.now() - began) / 1000).toFixed(0)} s`);
  }
});
const details = await fc.check(property, {
  seed,
  numRuns,
  ...(path === undefined ? {} : { path }),
  ...(seconds === undefined ? {} : { interruptAfterTimeLimit: seconds * 1000 }),
  includeErrorInReport: true,
});
const elapsed = ((performance.now() - began) / 1000).toFixed(1);
if (details.failed) {
  const report = fc.defaultReportMessage(details) ?? '';
  console.error(report);
  // The commands' own replay path, printed inside the counterexample.
  const commands = /replayPath="([^"]*)"/.exec(report)?.[1];
  const replay = commands === undefined ? '' : ` FUZZ_REPLAY="${commands}"`;
  console.error(
    `fuzz: FAILED after ${details.numRuns} sequences (${elapsed} s). Replay: FUZZ_SEED=${seed} FUZZ_PATH="${details.counterexamplePath}"${replay} FUZZ_COMMANDS=${maxCommands} npm run fuzz`,
  );
  process.exitCode = 1;
} else {
  console.log(`fuzz: ${details.numRuns} sequences passed in ${elapsed} s (seed ${seed})`);
}
