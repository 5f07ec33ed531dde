/**
 * Soak: a million trivial tasks streamed through one scheduler (submitted in batches while it
 * runs; the user keeps no result). Takes about 2 to 4 s per run on the 2-core machine.
 *
 * With recording off the scheduler keeps nothing of a settled task: the heap at the end stays
 * within 1.2x of the heap after the first 100,000 tasks. With recording on (the default) the
 * timeline keeps about 50 bytes per task until the scheduler is dropped, as the README says;
 * the second test holds it to that, so that nothing else grows beside it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { soak } from './soak.js';

const TASKS = 1_000_000;
const CHECKPOINT = 100_000;

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

describe('soak: 1,000,000 tasks streamed through one scheduler', () => {
  test('record: false: the heap stays within 1.2x of its size after 100,000; no handle is left behind', async (t) => {
    const f = await soak(TASKS, CHECKPOINT, false);
    t.diagnostic(
      `${f.tasks} tasks in ${f.seconds.toFixed(1)} s; heap after ${CHECKPOINT}: ${mb(f.heapAtCheckpoint)}, at the end: ${mb(f.heapAtEnd)} (${(f.heapAtEnd / f.heapAtCheckpoint).toFixed(3)}x); handles ${f.handlesAtCheckpoint.length} -> ${f.handlesAtEnd.length}`,
    );
    assert.ok(
      f.heapAtEnd <= 1.2 * f.heapAtCheckpoint,
      `heap ${mb(f.heapAtCheckpoint)} -> ${mb(f.heapAtEnd)}`,
    );
    assert.deepEqual(f.handlesAtEnd, f.handlesAtCheckpoint, 'no growth in active handles');
    assert.deepEqual(f.handlesAtEnd, f.handlesBefore, 'no handle left behind');
  });

  test('record: true (the default): the timeline alone grows, at most 64 bytes a task', async (t) => {
    const f = await soak(TASKS, CHECKPOINT, true);
    const perTask = (f.heapAtEnd - f.heapAtCheckpoint) / (TASKS - CHECKPOINT);
    t.diagnostic(
      `${f.tasks} tasks in ${f.seconds.toFixed(1)} s; heap after ${CHECKPOINT}: ${mb(f.heapAtCheckpoint)}, at the end: ${mb(f.heapAtEnd)} (${perTask.toFixed(1)} bytes a task)`,
    );
    assert.ok(perTask <= 64, `${perTask.toFixed(1)} bytes a task`);
    assert.deepEqual(f.handlesAtEnd, f.handlesBefore, 'no handle left behind');
  });
});
