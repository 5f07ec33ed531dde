import assert from 'node:assert/strict';

/**
 * Asserts that two lists hold the very same objects, in the same order (identity, not the
 * structural equality of `deepEqual`, which finds any two futures or errors alike).
 */
export function assertSame(
  actual: readonly unknown[],
  expected: readonly unknown[],
  message = 'the same objects in the same order',
): void {
  assert.equal(actual.length, expected.length, `${message}: length`);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(actual[i] === expected[i], `${message}: item ${i} differs`);
  }
}

/** Asserts that two lists hold the very same objects, in any order, each once. */
export function assertSameMembers(actual: readonly unknown[], expected: readonly unknown[]): void {
  assert.equal(actual.length, expected.length, 'same number of items');
  assert.equal(new Set(actual).size, actual.length, 'no item twice');
  for (const item of expected) assert.ok(actual.includes(item), 'an expected item is missing');
}
