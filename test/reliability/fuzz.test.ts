import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fuzzProperty } from './fuzz/property.js';

/**
 * The fast run of the model-based fuzzer (see fuzz/): a few hundred random sequences of
 * submissions, completions, yields, aborts, stops, starts and waits, each step checked against
 * the model. `npm run fuzz` runs the long one (10,000 sequences, or a time budget).
 */
describe('model-based fuzzing (fast run)', () => {
  test('every step keeps the invariants; every run drains', async () => {
    await fc.assert(fuzzProperty(40), { numRuns: 300, includeErrorInReport: true });
  });
});
