import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeadlockError, Queue, Scheduler } from '../../src/index.js';
import { deferred, ticks } from '../helpers/deferred.js';
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

describe('deadlocks through awaited futures and stuck timed-out functions', () => {
  test('tasks awaiting futures that need their own queue: wait() rejects with DeadlockError', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, name: 'pool' });
    // Both outers start before either submits its inner task, so the inners find no slot.
    let started = 0;
    const bothStarted = deferred();
    const outers = [0, 1].map((i) =>
      Q.options({ name: `outer${i}` }).submit(async () => {
        if (++started === 2) bothStarted.resolve();
        await bothStarted.promise;
        const inner = Q.options({ name: `inner${i}` }).submit(() => i * 10);
        return (await inner) + 1;
      }),
    );
    sch.start();
    const error = await deadlockOf(sch);
    const named = error.tasks.map((t) => t.name);
    assert.ok(named.includes('outer0') && named.includes('outer1'), named.join());
    const outer = error.tasks.find((t) => t.name === 'outer0');
    assert.match(outer?.waitsFor ?? '', /awaits task \d+ \(inner0\)/);
    assert.ok(named.includes('inner0'), 'the awaited task is named as waiting for a slot');
    assert.equal(outers[0]?.status, 'running');
  });

  test('one task awaiting a future of its own queue, with a slot free for it, is no deadlock', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const outer = Q.submit(async () => {
      const inner = Q.submit(() => 41);
      return (await inner) + 1;
    });
    sch.start();
    await within(sch.wait(), 2000, 'wait()');
    assert.equal(outer.result(), 42);
  });

  test('awaiting a future that settles later frees the count: a later deadlock check finds none', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'one' });
    const R = new Queue(sch, { concurrency: 1, name: 'other' });
    const outer = Q.submit(async () => {
      const a = R.submit(async () => 1);
      const first = await a;
      const b = R.submit(async () => 2);
      return first + (await b);
    });
    sch.start();
    await within(sch.wait(), 2000, 'wait()');
    assert.equal(outer.result(), 3);
  });

  test('a timed-out function that never returns: stop() and close() resolve; wait() rejects naming it', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'solo' });
    const never = new Promise<never>(() => undefined);
    const later = Q.options({ name: 'later' }).submit(() => 'waits for the slot');
    // The newest task starts first: it takes the only slot and never gives it back.
    const stuck = Q.options({ name: 'stuck', timeout: 20 }).submit(() => never);
    sch.start();
    const error = await deadlockOf(sch);
    assert.equal(stuck.status, 'failed');
    const first = error.tasks.find((t) => t.name === 'stuck');
    assert.ok(first !== undefined, 'the stuck task is named');
    assert.match(first.waitsFor, /timed out after 20 ms.*not returned/);
    assert.ok(error.tasks.some((t) => t.name === 'later'));
    await within(sch.stop(), 2000, 'stop()');
    await within(sch.close(), 2000, 'close()');
    assert.equal(later.status, 'ready');
  });
});
