import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DependencyError,
  type IdleEvent,
  Queue,
  Scheduler,
  type TaskEndEvent,
  type TaskEvent,
} from '../../src/index.js';
import { deferred, ticks } from '../helpers/deferred.js';

type Logged =
  | { kind: 'start'; e: TaskEvent }
  | { kind: 'end'; e: TaskEndEvent }
  | { kind: 'idle'; e: IdleEvent };

function record(sch: Scheduler): Logged[] {
  const log: Logged[] = [];
  sch.on('task:start', (e) => log.push({ kind: 'start', e }));
  sch.on('task:end', (e) => log.push({ kind: 'end', e }));
  sch.on('idle', (e) => log.push({ kind: 'idle', e }));
  return log;
}

describe('events', () => {
  test('task:start, task:end and idle carry id, name, queue, status, error and time', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'io' });
    const log = record(sch);
    const boom = new Error('boom');
    const t0 = performance.now();
    const ok = Q.options({ name: 'ok-task' }).submit(() => 1);
    const bad = Q.options({ name: 'bad-task' }).submit((): number => {
      throw boom;
    });
    const dep = Q.options({ name: 'dep-task' }).submit((x: number) => x, bad);
    sch.start();
    await assert.rejects(sch.wait());
    const t1 = performance.now();

    const starts = log.filter((l) => l.kind === 'start').map((l) => l.e as TaskEvent);
    const ends = log.filter((l) => l.kind === 'end').map((l) => l.e as TaskEndEvent);
    assert.deepEqual(starts.map((e) => e.id).sort(), [ok.id, bad.id].sort(), 'dep never starts');
    assert.deepEqual(ends.map((e) => e.id).sort(), [ok.id, bad.id, dep.id].sort());
    const byId = new Map(ends.map((e) => [e.id, e]));
    const okEnd = byId.get(ok.id);
    const badEnd = byId.get(bad.id);
    const depEnd = byId.get(dep.id);
    assert.equal(okEnd?.status, 'done');
    assert.equal(okEnd?.error, undefined);
    assert.equal(badEnd?.status, 'failed');
    assert.equal(badEnd?.error, boom);
    assert.equal(depEnd?.status, 'cancelled');
    assert.ok(depEnd?.error instanceof DependencyError);
    for (const e of [...starts, ...ends]) {
      assert.equal(e.queue, 'io');
      const f = [ok, bad, dep].find((x) => x.id === e.id);
      assert.equal(e.name, f?.name);
      assert.equal(typeof e.time, 'number');
      assert.ok(e.time >= t0 && e.time <= t1, 'time comes from performance.now()');
    }
    for (const s of starts) {
      const startAt = log.findIndex((l) => l.kind === 'start' && l.e.id === s.id);
      const endAt = log.findIndex((l) => l.kind === 'end' && l.e.id === s.id);
      assert.ok(startAt < endAt, 'a task starts before it ends');
    }
    const times = log.map((l) => l.e.time);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    const idles = log.filter((l) => l.kind === 'idle');
    assert.equal(idles.length, 1);
    assert.equal(log.at(-1)?.kind, 'idle', 'idle comes after every task has ended');
  });

  test('idle fires only when every task has settled', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    let idles = 0;
    sch.on('idle', () => idles++);
    const gate = deferred<number>();
    Q.submit(() => 1);
    const slow = Q.submit(() => gate.promise);
    sch.start();
    await ticks();
    assert.equal(slow.status, 'running');
    assert.equal(idles, 0);
    gate.resolve(2);
    await sch.wait();
    assert.equal(idles, 1);
  });

  test('task:end reports the status a future ends with; off() removes a listener', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const seen: string[] = [];
    const listener = (e: TaskEndEvent): void => {
      seen.push(`${e.name}:${e.status}`);
    };
    sch.on('task:end', listener);
    Q.options({ name: 'first' }).submit(() => 1);
    sch.start();
    await sch.wait();
    sch.off('task:end', listener);
    Q.options({ name: 'second' }).submit(() => 2);
    await sch.wait();
    assert.deepEqual(seen, ['first:done']);
  });
});
