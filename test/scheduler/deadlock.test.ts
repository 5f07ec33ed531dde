import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeadlockError, Queue, Scheduler } from '../../src/index.js';
import { ticks } from '../helpers/deferred.js';
import { Gates, within } from '../helpers/gates.js';

/** Awaits `wait()` (failing the test if it hangs) and returns its DeadlockError. */
async function deadlockOf(sch: Scheduler): Promise<DeadlockError> {
  const outcome = await within(
    sch.wait().then(
      () => assert.fail('wait() resolved, expected a DeadlockError'),
      (error: unknown) => error,
    ),
    2000,
    'wait()',
  );
  assert.ok(outcome instanceof DeadlockError, `expected DeadlockError, got ${String(outcome)}`);
  assert.ok(outcome instanceof Error);
  return outcome;
}

describe('deadlock detection', () => {
  test('a held slot whose releaser needs that same slot: wait() rejects with DeadlockError', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'solo' });
    const held = Q.options({ name: 'acquire', hold: true }).submit(() => 'shot');
    const releaser = Q.options({ name: 'readout', release: held }).submit(() => 'read');
    const after = Q.options({ name: 'report' }).submit((v: string) => v, releaser);
    sch.start();
    const error = await deadlockOf(sch);
    assert.equal(held.status, 'done');
    assert.equal(releaser.status, 'ready');
    assert.equal(after.status, 'waiting');
    const byId = new Map(error.tasks.map((t) => [t.id, t]));
    const stuck = byId.get(releaser.id);
    assert.ok(stuck !== undefined, 'the releaser is named');
    assert.equal(stuck.name, 'readout');
    assert.match(stuck.waitsFor, /solo/);
    assert.match(stuck.waitsFor, new RegExp(`\\b${held.id}\\b.*acquire.*holding`));
    const waiting = byId.get(after.id);
    assert.ok(waiting !== undefined, 'its dependent is named too');
    assert.match(waiting.waitsFor, new RegExp(`\\b${releaser.id}\\b.*readout`));
    assert.match(error.message, /readout/);
    assert.match(error.message, /acquire/);
  });

  test('resources held by a holding task that its releaser needs', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, name: 'lab', resources: { inst: 1 } });
    const held = Q.options({ name: 'acquire', hold: true, resources: { inst: 1 } }).submit(() => 1);
    const releaser = Q.options({ name: 'readout', release: held, resources: { inst: 1 } }).submit(
      () => 2,
    );
    sch.start();
    const error = await deadlockOf(sch);
    assert.deepEqual(
      error.tasks.map((t) => t.id),
      [releaser.id],
    );
    const waitsFor = error.tasks[0]?.waitsFor ?? '';
    assert.match(waitsFor, /inst/);
    assert.match(waitsFor, new RegExp(`\\b${held.id}\\b.*acquire`));
  });

  test('a wait() called once the deadlock stands rejects too, and again later', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const held = Q.options({ hold: true }).submit(() => 1);
    Q.options({ release: held }).submit(() => 2);
    sch.start();
    await ticks();
    await deadlockOf(sch);
    await deadlockOf(sch);
  });

  test('it is found once the other queues stop running (a wait() called before start)', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'solo' });
    const other = new Queue(sch, { concurrency: 1, name: 'other' });
    const gates = new Gates();
    const held = Q.options({ hold: true }).submit(() => 1);
    Q.options({ release: held }).submit(() => 2);
    const busy = other.submit(gates.fn('busy'));
    const waited = deadlockOf(sch);
    sch.start();
    await ticks();
    assert.equal(busy.status, 'running', 'the other queue goes on');
    gates.end('busy');
    await waited;
    assert.equal(busy.status, 'done');
  });

  test('no false alarm: a releaser on another queue, or a stopped scheduler', async () => {
    const sch = new Scheduler();
    const acq = new Queue(sch, { concurrency: 1, name: 'acq' });
    const cpu = new Queue(sch, { concurrency: 1, name: 'cpu' });
    const gates = new Gates();
    const next = acq.submit(() => 'next');
    const held = acq.options({ hold: true }).submit(gates.fn('held'));
    cpu.options({ release: held }).submit(gates.fn('releaser'));
    let settled = false;
    const waited = sch.wait().finally(() => {
      settled = true;
    });
    sch.start();
    await ticks();
    gates.end('held');
    await ticks();
    assert.equal(next.status, 'ready', 'waits on the held slot, which will come back');
    const stopped = sch.stop(); // resolves once the releaser ends
    await ticks();
    assert.equal(settled, false, 'while stopped, wait() keeps waiting');
    sch.start();
    await ticks();
    assert.equal(settled, false);
    gates.end('releaser');
    await stopped;
    await within(waited, 2000, 'wait()');
    assert.equal(next.result(), 'next');
  });
});
