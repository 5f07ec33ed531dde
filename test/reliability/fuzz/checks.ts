import assert from 'node:assert/strict';
import {
  CancelledError,
  DeadlockError,
  DependencyError,
  type Future,
  IndexError,
  NonErrorThrown,
  type Scheduler,
  StreamCountError,
  StreamReplayError,
  TaskFailedError,
  TimeoutError,
} from '../../../src/index.js';
import type { Tracked } from '../../property/reference-model.js';
import { COUNT_MISMATCH, type Model, type ModelTask, SHORT_REPLAY, TIMED_OUT } from './model.js';

/**
 * The fuzzer's checks of the real scheduler against the model (see harness.ts), and the
 * values its fake tasks produce.
 */

export function taskValue(k: number): string {
  return `v${k}`;
}

export function itemValue(k: number, i: number): string {
  return `g${k}.${i}`;
}

/** What `future.result()` throws (undefined if it returns). */
export function errorOf(future: Future<unknown>): unknown {
  try {
    future.result();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Real statuses, as the model names them. */
export function modelStatus(status: string): string {
  return status === 'waiting' || status === 'ready' ? 'unstarted' : status;
}

/** A settled task ended as the model says: its value, or its error's class, task, root and cause. */
export function checkOutcome(
  k: number,
  task: ModelTask,
  future: Future<unknown>,
  futures: readonly Future<unknown>[],
): void {
  if (task.status === 'done') {
    const expected = task.generator
      ? Array.from({ length: task.yielded }, (_, i) => itemValue(k, i))
      : taskValue(k);
    assert.deepEqual(future.result(), expected, `t${k}: value`);
    return;
  }
  const error = errorOf(future);
  const ending = task.ending;
  const what = `t${k} (id ${future.id}) ${task.status}: ${String(error)}`;
  if (ending?.kind === 'own') {
    const marked: [symbol, new (...args: never[]) => Error][] = [
      [TIMED_OUT, TimeoutError],
      [COUNT_MISMATCH, StreamCountError],
      [SHORT_REPLAY, StreamReplayError],
    ];
    const mark = marked.find(([symbol]) => symbol === ending.thrown);
    if (mark !== undefined) {
      assert.ok(error instanceof mark[1], what);
      assert.equal((error as Error & { task: { id: number } }).task.id, future.id, what);
    } else if (ending.thrown instanceof Error) assert.equal(error, ending.thrown, what);
    else {
      assert.ok(error instanceof NonErrorThrown, what);
      assert.equal(error.value, ending.thrown, what);
      assert.equal(error.task.id, future.id, what);
    }
  } else if (ending?.kind === 'aborted') {
    assert.ok(error instanceof CancelledError, what);
    assert.equal(error.task.id, future.id, what);
  } else if (ending?.kind === 'dependency') {
    assert.ok(error instanceof DependencyError, what);
    assert.equal(error.task.id, future.id, what);
    const root = futures[ending.root] as Future<unknown>;
    assert.equal(error.failedTask.id, root.id, `${what}: root`);
    if (ending.pastEnd !== undefined) {
      assert.ok(error.cause instanceof IndexError, `${what}; cause: ${String(error.cause)}`);
    } else assert.equal(error.cause, errorOf(root), `${what}: cause`);
  } else assert.fail(`${what}: the model has no ending`);
}

/**
 * The scheduler's own view (`explain`): no waiting task is startable while it dispatches, and
 * the tasks it names as taking a full queue's slots are those the model says (running,
 * holding, or timed out and running on).
 */
export function checkOccupants(
  sch: Scheduler,
  futures: readonly Future<unknown>[],
  model: Model,
): void {
  futures.forEach((future, k) => {
    if (model.task(k).status !== 'unstarted') return;
    const why = sch.explain(future);
    const dispatching = model.started && !model.halted;
    assert.ok(!dispatching || why.reason !== 'startable', `t${k}: explain() says startable`);
    if (why.reason !== 'queue-full') return;
    const q = model.task(k).queue;
    const named = (why.occupants ?? []).map((o) => o.id).sort((a, b) => a - b);
    const expected = model.occupants(q).map((id) => (futures[id] as Future<unknown>).id);
    assert.deepEqual(named, expected, `q${q}: the occupants explain(t${k}) names`);
  });
}

/** `sch.stats()` per queue matches the model's statuses. */
export function checkCounts(sch: Scheduler, model: Model): void {
  const stats = sch.stats();
  model.queues.forEach((_, q) => {
    const counts = stats.queues[`q${q}`];
    const mine = model.tasks.filter((t) => t.queue === q);
    const count = (status: string) => mine.filter((t) => t.status === status).length;
    assert.deepEqual(
      counts && {
        unstarted: counts.waiting + counts.ready,
        running: counts.running,
        done: counts.done,
        failed: counts.failed,
        cancelled: counts.cancelled,
      },
      {
        unstarted: count('unstarted'),
        running: count('running'),
        done: count('done'),
        failed: count('failed'),
        cancelled: count('cancelled'),
      },
      `q${q}: stats`,
    );
  });
}

/**
 * Every `wait()` settled; the TaskFailedErrors they rejected with hold each failure once (all
 * of them once everything settled); a DeadlockError only names tasks that remain.
 */
export function checkWaits(
  waits: readonly Tracked[],
  final: Tracked,
  model: Model,
  futures: readonly Future<unknown>[],
): void {
  for (const [i, w] of waits.entries()) assert.notEqual(w.state, 'pending', `wait() ${i} settled`);
  const unsettled = model.unsettled();
  // Callers waiting together share one TaskFailedError; each failure is in exactly one.
  const rejections = new Set<TaskFailedError>();
  for (const w of waits) {
    if (w.error instanceof TaskFailedError) rejections.add(w.error);
    else if (w.state === 'rejected') assert.ok(w.error instanceof DeadlockError, String(w.error));
  }
  const reported = [...rejections].flatMap((e) => e.errors);
  assert.equal(new Set(reported).size, reported.length, 'each failure reported once');
  const failures = model.failures.map((k) => errorOf(futures[k] as Future<unknown>));
  for (const error of reported)
    assert.ok(failures.includes(error), 'a reported error is a failure');
  if (unsettled.length === 0) {
    assert.equal(reported.length, failures.length, 'every failure reported');
    assert.ok(!(final.error instanceof DeadlockError), 'no deadlock once all settled');
  } else {
    assert.ok(final.error instanceof DeadlockError, `deadlock: ${String(final.error)}`);
    const ids = new Set(unsettled.map((t) => (futures[t.id] as Future<unknown>).id));
    for (const stuck of final.error.tasks) assert.ok(ids.has(stuck.id), `stuck ${stuck.id}`);
    assert.ok(final.error.tasks.length > 0);
  }
}
