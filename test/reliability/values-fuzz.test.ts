/**
 * The arguments-and-results boundary fuzzer, short (see boundary/values-property.ts); the long
 * run is `npm run fuzz`.
 */
import { test } from 'node:test';
import fc from 'fast-check';
import { valuesProperty } from './boundary/values-property.js';

test('arbitrary hostile arguments and results: every task settles once, no slot lost, no crash', async () => {
  await fc.assert(valuesProperty(), { numRuns: 150 });
});
