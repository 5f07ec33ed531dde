import assert from 'node:assert/strict';
import { type Scheduler, TaskFailedError } from '../../src/index.js';

/** Awaits `wait()` and returns its TaskFailedError, failing the test if it resolves. */
export async function failureOf(sch: Scheduler): Promise<TaskFailedError> {
  let caught: unknown;
  await assert.rejects(sch.wait(), (e) => {
    caught = e;
    return true;
  });
  assert.ok(caught instanceof TaskFailedError, `expected TaskFailedError, got ${String(caught)}`);
  assert.ok(caught instanceof AggregateError);
  return caught;
}
