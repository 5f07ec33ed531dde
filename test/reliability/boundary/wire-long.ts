/**
 * The long run of the wire's boundary fuzzer (test/executors/wire-fuzz-property.ts) on real
 * threads() and processes() pools.
 *
 *   node --import tsx test/reliability/boundary/wire-long.ts      1,000 batches each, a fresh seed
 *   FUZZ_RUNS=5000                                                 more batches
 *   FUZZ_SECONDS=600                                               as many as fit (split between pools)
 *   FUZZ_SEED=123                                                  replay a run (printed first)
 *
 * Prints the seed first, and the number of batches run per executor; exits 1 on a failure,
 * with fast-check's counterexample.
 */
import fc from 'fast-check';
import { type Executor, processes, threads } from '../../../src/index.js';
import { openPool, watchEscapes, wireProperty } from '../../executors/wire-fuzz-property.js';

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new RangeError(`Expected ${name} to be a number, got ${raw}.`);
  return value;
}

const seed = envNumber('FUZZ_SEED') ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
const seconds = envNumber('FUZZ_SECONDS');
const numRuns = envNumber('FUZZ_RUNS') ?? (seconds === undefined ? 1000 : 1_000_000_000);
const EXECUTORS: [string, () => Executor][] = [
  ['threads', () => threads()],
  ['processes', () => processes()],
];

console.log(
  `wire fuzz: seed ${seed}, ${seconds === undefined ? `${numRuns} batches` : `${seconds} s budget`} per executor pair`,
);
console.log(`wire fuzz: replay with FUZZ_SEED=${seed}`);
let failed = false;
for (const [kind, make] of EXECUTORS) {
  const pool = openPool(make());
  const watch = watchEscapes();
  let ran = 0;
  const began = performance.now();
  const property = wireProperty(pool, watch.escaped).afterEach(async (previous) => {
    await previous();
    ran++;
    if (ran % 100 === 0) {
      console.log(
        `wire fuzz: ${kind}: ${ran} batches, ${((performance.now() - began) / 1000).toFixed(0)} s`,
      );
    }
  });
  const details = await fc.check(property, {
    seed,
    numRuns,
    ...(seconds === undefined
      ? {}
      : { interruptAfterTimeLimit: (seconds * 1000) / EXECUTORS.length }),
    includeErrorInReport: true,
  });
  watch.stop();
  await pool.sch.close();
  const elapsed = ((performance.now() - began) / 1000).toFixed(1);
  console.log(`wire fuzz: ${kind}: ${details.numRuns} batches run in ${elapsed} s (seed ${seed})`);
  if (details.failed) {
    failed = true;
    console.error(fc.defaultReportMessage(details) ?? '');
    console.error(`wire fuzz: ${kind} FAILED; replay with FUZZ_SEED=${seed}`);
  }
}
process.exitCode = failed ? 1 : 0;
