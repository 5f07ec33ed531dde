import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DependencyError, type Future, Queue, Scheduler } from '../../src/index.js';
import { ticks } from '../helpers/deferred.js';
import { Gates, within } from '../helpers/gates.js';

/** An instrument queue of 1 beside a compute queue of 2, with gated task bodies. */
function instrument() {
  const sch = new Scheduler();
  const acq = new Queue(sch, { concurrency: 1, name: 'acq' });
  const cpu = new Queue(sch, { concurrency: 2, name: 'cpu' });
  return { sch, acq, cpu, gates: new Gates() };
}

describe('hold and release', () => {
  test('a held task keeps its slot after it ends, until a task releasing it settles', async () => {
    const { sch, acq, cpu, gates } = instrument();
    const other = acq.options({ name: 'other' }).submit(gates.fn('other'));
    const held = acq.options({ name: 'acquire', hold: true }).submit(gates.fn('acquire'));
    const readout = cpu.options({ name: 'readout', release: held }).submit(gates.fn('readout'));
    sch.start();
    await ticks();
    assert.deepEqual(gates.started, ['acquire'], 'the releaser leads the walk to the held task');
    assert.equal(readout.status, 'waiting', 'the releaser depends on the held task');
    gates.end('acquire', 'shot');
    await ticks();
    assert.equal(held.status, 'done');
    assert.equal(held.result(), 'shot');
    assert.equal(readout.status, 'running');
    assert.equal(other.status, 'ready', 'the slot stays taken after the held task ended');
    const why = sch.explain(other);
    assert.equal(why.reason, 'queue-full');
    assert.deepEqual(
      why.occupants?.map((t) => [t.id, t.holding]),
      [[held.id, true]],
    );
    gates.end('readout');
    await ticks();
    assert.equal(other.status, 'running', 'released when the releaser settled');
    gates.end('other');
    await within(sch.wait(), 2000, 'wait()');
  });

  test('held resources stay taken too, and come back on release', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, name: 'lab', resources: { inst: 1 } });
    const cpu = new Queue(sch, { concurrency: 1, name: 'cpu' });
    const gates = new Gates();
    const needsInst = { resources: { inst: 1 } };
    const other = Q.options({ ...needsInst, name: 'other' }).submit(gates.fn('other'));
    const held = Q.options({ ...needsInst, hold: true }).submit(gates.fn('held'));
    cpu.options({ release: held }).submit(gates.fn('releaser'));
    sch.start();
    await ticks();
    gates.end('held');
    await ticks();
    assert.equal(other.status, 'ready', 'a slot is free, but the held task keeps `inst`');
    assert.equal(sch.explain(other).reason, 'resources');
    gates.end('releaser');
    await ticks();
    assert.equal(other.status, 'running');
    gates.end('other');
    await sch.wait();
  });

  test('the releaser starts after the held task and gets no value from it', async () => {
    const { sch, acq, cpu, gates } = instrument();
    const held = acq.options({ hold: true }).submit(gates.fn('held'));
    const seen: unknown[][] = [];
    const releaser = cpu.options({ release: [held] }).submit((...args: unknown[]) => {
      seen.push(args);
      return held.status;
    });
    sch.start();
    await ticks();
    assert.equal(releaser.status, 'waiting');
    gates.end('held', 'value');
    await sch.wait();
    assert.equal(releaser.result(), 'done');
    assert.deepEqual(seen, [[]]);
  });

  test('a held task that fails does not hold; its releaser is cancelled', async () => {
    const { sch, acq, cpu, gates } = instrument();
    const other = acq.submit(gates.fn('other'));
    const boom = new Error('acquisition failed');
    const held = acq.options({ hold: true }).submit(gates.fn('held'));
    const releaser = cpu.options({ release: held }).submit(() => 'never');
    sch.start();
    await ticks();
    gates.fail('held', boom);
    await ticks();
    assert.equal(held.status, 'failed');
    assert.equal(other.status, 'running', 'the failed task gave its slot back');
    assert.equal(releaser.status, 'cancelled');
    assert.throws(() => releaser.result(), DependencyError);
    gates.end('other');
    await assert.rejects(sch.wait());
  });

  test('a held task with retries holds only once an attempt succeeds', async () => {
    const { sch, acq, cpu, gates } = instrument();
    const other = acq.submit(gates.fn('other'));
    const held = acq.options({ hold: true, retries: 1 }).submit(gates.fn('held'));
    cpu.options({ release: held }).submit(gates.fn('releaser'));
    sch.start();
    await ticks();
    gates.fail('held', new Error('first attempt fails'));
    await ticks();
    assert.deepEqual(gates.started, ['held', 'held'], 'the retry is the first in the order');
    gates.end('held');
    await ticks();
    assert.equal(other.status, 'ready', 'the successful attempt holds the slot');
    gates.end('releaser');
    await ticks();
    assert.equal(other.status, 'running');
    gates.end('other');
    await sch.wait();
  });

  test('a releaser that fails still frees the held slot (it settled)', async () => {
    const { sch, acq, cpu, gates } = instrument();
    const other = acq.submit(gates.fn('other'));
    const held = acq.options({ hold: true }).submit(gates.fn('held'));
    cpu.options({ release: held }).submit((): void => {
      throw new Error('readout failed');
    });
    sch.start();
    await ticks();
    gates.end('held');
    await ticks();
    assert.equal(other.status, 'running');
    gates.end('other');
    await assert.rejects(sch.wait());
  });

  test('a releaser submitted after the held task ended, or cancelled by its signal, frees it', async () => {
    const { sch, acq, cpu, gates } = instrument();
    const held = acq.options({ hold: true }).submit(gates.fn('held'));
    sch.start();
    await ticks();
    gates.end('held');
    await ticks();
    const waiting = acq.submit(gates.fn('waiting'));
    await ticks();
    assert.equal(waiting.status, 'ready');
    const controller = new AbortController();
    const releaser = cpu.options({ release: held, signal: controller.signal }).submit(() => 1);
    controller.abort();
    assert.equal(releaser.status, 'cancelled');
    await ticks();
    assert.equal(waiting.status, 'running', 'a cancelled releaser has settled: it frees the slot');
    gates.end('waiting');
    await sch.wait();
  });

  test('a held task whose releaser was cancelled while it ran does not keep its slot for ever', async () => {
    const { sch, acq, cpu, gates } = instrument();
    const held = acq.options({ hold: true, name: 'held' }).submit(gates.fn('held'));
    const calibrate = cpu.submit(gates.fn('calibrate'));
    cpu.options({ release: held, name: 'readout' }).submit((_: string) => 'never', calibrate);
    sch.start();
    await ticks();
    gates.fail('calibrate', new Error('calibration failed')); // cancels the only releaser
    await ticks();
    gates.end('held');
    await ticks();
    const next = acq.options({ name: 'next' }).submit(() => 'ran');
    const outcome = await within(
      sch.wait().then(
        () => 'resolved',
        (error: unknown) => error,
      ),
      2000,
      'wait()',
    );
    assert.equal(next.status, 'done', `nothing is left to release the slot; wait(): ${outcome}`);
  });

  test('the instrument pattern: acquisitions hold the instrument until their readout ends', async () => {
    const { sch, acq, cpu } = instrument();
    const reserved = new Set<number>();
    const problems: string[] = [];
    let computing = 0;
    let peak = 0;
    const step = () => new Promise<void>((resolve) => setImmediate(resolve));
    const acquire = async (i: number): Promise<number> => {
      if (reserved.size > 0) problems.push(`acq${i} started while ${[...reserved]} reserved`);
      reserved.add(i);
      await step();
      return i * 10;
    };
    const compute = async <T>(work: () => T): Promise<T> => {
      peak = Math.max(peak, ++computing);
      await step();
      computing--;
      return work();
    };
    const readouts: Future<number>[] = [];
    for (let i = 0; i < 4; i++) {
      const shot = acq.options({ name: `acq${i}`, hold: true }).submit(acquire, i);
      const readout = cpu.options({ name: `read${i}`, release: shot }).submit(
        (v: number) =>
          compute(() => {
            reserved.delete(i);
            return v + 1;
          }),
        shot,
      );
      readouts.push(readout);
    }
    const total = cpu.submit(
      (...values: number[]) => compute(() => values.reduce((a, b) => a + b, 0)),
      ...readouts,
    );
    sch.start();
    await within(sch.wait(), 2000, 'wait()');
    assert.deepEqual(problems, []);
    assert.equal(total.result(), 1 + 11 + 21 + 31);
    assert.ok(peak <= 2);
  });

  test('release of a task without hold: TypeError naming it, at submit, nothing queued', async () => {
    const { sch, acq, cpu } = instrument();
    const plain = acq.options({ name: 'plain' }).submit(() => 1);
    const before = sch.stats();
    assert.throws(
      () => cpu.options({ release: plain }).submit(() => 2),
      (e) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, new RegExp(`\\b${plain.id}\\b`));
        assert.match(e.message, /plain/);
        assert.match(e.message, /hold/);
        return true;
      },
    );
    const other = new Queue(new Scheduler()).options({ hold: true }).submit(() => 0);
    for (const release of [42, [plain], other, null]) {
      const options = { release } as unknown as { release: Future<unknown> };
      assert.throws(() => cpu.options(options).submit(() => 2), TypeError);
    }
    assert.deepEqual(sch.stats(), before);
    sch.start();
    await sch.wait();
  });
});
