import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fuzzProperty } from './fuzz/property.js';

/**
 * The fast run of the model-based fuzzer (see fuzz/): 500 random sequences (up to 50 steps) of
 * submissions, completions, yields, aborts, clock ticks, stops, starts and waits, each checked against
 * the model. `npm run fuzz` runs the long one (10,000 sequences, or a time budget).
 */
describe('model-based fuzzing (fast run)', () => {
  test('every step keeps the invariants; every run drains', async () => {
    await fc.assert(fuzzProperty(50), { numRuns: 500, includeErrorInReport: true });
  });
});
