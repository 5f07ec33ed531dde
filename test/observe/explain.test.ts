import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Future, Queue, Scheduler } from '../../src/index.js';
import { ticks } from '../helpers/deferred.js';
import { Gates } from '../helpers/gates.js';

function ids(tasks: readonly { id: number }[] | undefined): number[] {
  return (tasks ?? []).map((t) => t.id).sort((a, b) => a - b);
}

describe('sch.explain(future)', () => {
  test('waiting on dependencies: lists the unfinished ones', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, name: 'q' });
    const gates = new Gates();
    const a = Q.options({ name: 'alpha' }).submit(gates.fn('alpha'));
    const b = Q.options({ name: 'beta' }).submit(gates.fn('beta'));
    const c = Q.options({ name: 'gamma', after: b }).submit((x: string) => x, a);
    sch.start();
    await ticks();
    let why = sch.explain(c);
    assert.equal(why.reason, 'dependencies');
    assert.equal(why.id, c.id);
    assert.equal(why.name, 'gamma');
    assert.equal(why.status, 'waiting');
    assert.equal(why.queue, 'q');
    assert.deepEqual(ids(why.waitingOn), [a.id, b.id]);
    assert.match(why.message, /alpha/);
    assert.match(why.message, /beta/);
    gates.end('alpha');
    await ticks();
    why = sch.explain(c);
    assert.deepEqual(ids(why.waitingOn), [b.id], 'a finished dependency is no longer listed');
    assert.doesNotMatch(why.message, /alpha/);
    gates.end('beta');
    await sch.wait();
  });

  test('queue full: lists the occupants and marks those holding their slot', async () => {
    const sch = new Scheduler();
    const acq = new Queue(sch, { concurrency: 2, name: 'acq' });
    const cpu = new Queue(sch, { concurrency: 1, name: 'cpu' });
    const gates = new Gates();
    const late = acq.options({ name: 'late' }).submit(() => 0);
    const runner = acq.options({ name: 'runner' }).submit(gates.fn('runner'));
    const held = acq.options({ name: 'keeper', hold: true }).submit(gates.fn('keeper'));
    cpu.options({ release: held }).submit(gates.fn('release'));
    sch.start();
    await ticks();
    gates.end('keeper');
    await ticks();
    const why = sch.explain(late);
    assert.equal(why.reason, 'queue-full');
    assert.equal(why.status, 'ready');
    const occupants = [...(why.occupants ?? [])].sort((x, y) => x.id - y.id);
    assert.deepEqual(
      occupants.map((t) => [t.id, t.name, t.status, t.holding === true]),
      [
        [runner.id, 'runner', 'running', false],
        [held.id, 'keeper', 'done', true],
      ],
    );
    assert.match(why.message, /acq/);
    assert.match(why.message, /runner/);
    assert.match(why.message, /keeper, holding/);
    gates.end('runner');
    gates.end('release');
    await sch.wait();
  });

  test('resources exhausted: names the resource and who holds it', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 3, name: 'gpus', resources: { gpu: 2, mem: 8 } });
    const gates = new Gates();
    const wants = Q.options({ name: 'wants', resources: { gpu: 2, mem: 1 } }).submit(() => 0);
    const user = Q.options({ name: 'user', resources: { gpu: 1 } }).submit(gates.fn('user'));
    const plain = Q.options({ name: 'plain' }).submit(gates.fn('plain'));
    sch.start();
    await ticks();
    assert.equal(plain.status, 'running');
    const why = sch.explain(wants);
    assert.equal(why.reason, 'resources');
    assert.equal(why.resources?.length, 1, 'only the lacking resource');
    const gpu = why.resources?.[0];
    assert.equal(gpu?.name, 'gpu');
    assert.equal(gpu?.wanted, 2);
    assert.equal(gpu?.free, 1);
    assert.equal(gpu?.total, 2);
    assert.deepEqual(ids(gpu?.heldBy), [user.id], 'only the tasks holding gpus');
    assert.match(why.message, /gpu/);
    assert.match(why.message, /user/);
    assert.doesNotMatch(why.message, /plain/);
    gates.end('user');
    gates.end('plain');
    await sch.wait();
  });

  test('scheduler stopped, then startable, running and settled', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const gates = new Gates();
    const f = Q.options({ name: 'job' }).submit(gates.fn('job'));
    let why = sch.explain(f);
    assert.equal(why.reason, 'stopped');
    assert.match(why.message, /start\(\)/);
    sch.start();
    assert.equal(sch.explain(f).reason, 'startable', 'ready, before the next dispatch');
    await ticks();
    why = sch.explain(f);
    assert.equal(why.reason, 'running');
    assert.equal(why.status, 'running');
    gates.end('job');
    await sch.wait();
    why = sch.explain(f);
    assert.equal(why.reason, 'settled');
    assert.equal(why.status, 'done');
    assert.match(why.message, /done/);
    const bad = Q.submit((): void => {
      throw new Error('x');
    });
    await assert.rejects(sch.wait());
    assert.equal(sch.explain(bad).reason, 'settled');
    assert.match(sch.explain(bad).message, /failed/);
    await sch.stop();
    const later = Q.submit(() => 1);
    assert.equal(sch.explain(later).reason, 'stopped');
  });

  test('halted by failFast', async () => {
    const sch = new Scheduler({ failFast: true });
    const Q = new Queue(sch, { concurrency: 1 });
    const next = Q.submit(() => 1);
    Q.submit((): void => {
      throw new Error('first failure');
    });
    sch.start();
    await assert.rejects(sch.wait());
    assert.equal(sch.explain(next).reason, 'halted');
  });

  test('bad input: a non-future, or a future of another scheduler, throws TypeError', () => {
    const sch = new Scheduler();
    const mine = new Queue(sch).submit(() => 1);
    const theirs = new Queue(new Scheduler()).submit(() => 1);
    const explain = sch.explain.bind(sch) as (f: unknown) => unknown;
    for (const bad of [undefined, null, 1, {}, Promise.resolve(1), { id: mine.id }, theirs]) {
      assert.throws(() => explain(bad), TypeError);
    }
    assert.equal(sch.explain(mine as Future<unknown>).reason, 'stopped');
  });
});
