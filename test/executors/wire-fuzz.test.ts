/**
 * The wire's boundary fuzzer, short (a few seconds per executor): see wire-fuzz-property.ts.
 * The long run is test/reliability/boundary/wire-long.ts.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { type Executor, processes, threads } from '../../src/index.js';
import { openPool, watchEscapes, wireProperty } from './wire-fuzz-property.js';

const EXECUTORS: [string, () => Executor][] = [
  ['threads', () => threads()],
  ['processes', () => processes()],
];

for (const [kind, make] of EXECUTORS) {
  test(`${kind}: whatever a task throws, returns, yields or sends, it settles once and the pool goes on`, async () => {
    const pool = openPool(make());
    const watch = watchEscapes();
    try {
      await fc.assert(wireProperty(pool, watch.escaped), {
        numRuns: 40,
        interruptAfterTimeLimit: 6000,
      });
    } finally {
      watch.stop();
      await pool.sch.close();
    }
  });
}
