import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DependencyError, type Future, Queue, Scheduler } from '../../src/index.js';
import { ticks } from '../helpers/deferred.js';
import { failureOf } from '../helpers/failure.js';
import { Gates } from '../helpers/gates.js';
import { assertSame } from '../helpers/same.js';

describe('after: ordering-only dependencies', () => {
  test('the task starts once its after-futures finished, and gets none of their values', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 3 });
    const gates = new Gates();
    const a = Q.submit(gates.fn('a'));
    const b = Q.submit(gates.fn('b'));
    const seen: unknown[][] = [];
    const t = Q.options({ after: [a, b] }).submit((...args: unknown[]) => {
      seen.push(args);
      return 'ran';
    }, 7);
    sch.start();
    await ticks();
    assert.equal(t.status, 'waiting');
    gates.end('a', 'value of a');
    await ticks();
    assert.equal(t.status, 'waiting', 'b is not finished');
    gates.end('b', 'value of b');
    await sch.wait();
    assert.equal(t.result(), 'ran');
    assert.deepEqual(seen, [[7]], 'only its own arguments');
  });

  test('a single future, an already finished one, or one also passed as an argument', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const a = Q.submit(() => 1);
    sch.start();
    await sch.wait();
    const onDone = Q.options({ after: a }).submit(() => 'ok');
    const b = Q.submit(() => 2);
    const both = Q.options({ after: b }).submit((x: number) => x * 10, b);
    await sch.wait();
    assert.equal(onDone.result(), 'ok');
    assert.equal(both.result(), 20);
  });

  test('a failed after-dependency cancels the task with DependencyError; it never runs', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const boom = new Error('boom');
    const bad = Q.options({ name: 'bad' }).submit((): number => {
      throw boom;
    });
    let ran = false;
    const t = Q.options({ after: [bad], name: 'later' }).submit(() => {
      ran = true;
    });
    const next = Q.submit((_: unknown) => undefined, t);
    sch.start();
    const error = await failureOf(sch);
    assertSame(error.errors, [boom], 'only the failed task, not its cancelled dependents');
    assert.equal(ran, false);
    for (const cancelled of [t, next]) {
      assert.equal(cancelled.status, 'cancelled');
      assert.throws(
        () => cancelled.result(),
        (e) => {
          assert.ok(e instanceof DependencyError);
          assert.equal(e.cause, boom);
          assert.equal(e.failedTask.id, bad.id);
          return true;
        },
      );
    }
    // Submitted after the failure: cancelled at once.
    const late = Q.options({ after: bad }).submit(() => 0);
    assert.equal(late.status, 'cancelled');
    await sch.wait();
  });

  test('the walk follows argument dependencies, then release, then after (one slot each)', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'q' });
    const H = new Queue(sch, { concurrency: 1, name: 'h' });
    const R = new Queue(sch, { concurrency: 1, name: 'r' });
    const starts: string[] = [];
    sch.on('task:start', (e) => starts.push(e.name));
    const x1 = Q.options({ name: 'x1' }).submit(() => 'x1');
    const x2 = Q.options({ name: 'x2' }).submit(() => 'x2');
    const h = H.options({ name: 'h', hold: true }).submit(() => 'h');
    const y = Q.options({ name: 'y' }).submit(() => 'y');
    Q.options({ name: 'z' }).submit(() => 'z');
    const t = R.options({ name: 't', after: [x1, x2], release: h }).submit(
      (v: string) => `t(${v})`,
      y,
    );
    sch.start();
    await sch.wait();
    assert.deepEqual(starts, ['y', 'h', 'x1', 'x2', 't', 'z']);
    assert.equal(t.result(), 't(y)');
  });

  test('bad after: a non-future, or a future of another scheduler, throws TypeError; nothing queued', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const other = new Queue(new Scheduler()).submit(() => 1);
    const own = Q.submit(() => 1);
    const before = sch.stats();
    const bad: unknown[] = [42, null, 'f', Promise.resolve(1), [own, 42], [other], other];
    let calls = 0;
    for (const value of bad) {
      const options = { after: value } as unknown as { after: Future<unknown> };
      assert.throws(
        () => Q.options(options).submit(() => ++calls),
        (e) => {
          assert.ok(e instanceof TypeError, String(value));
          assert.match(e.message, /after/);
          return true;
        },
      );
    }
    assert.deepEqual(sch.stats(), before);
    sch.start();
    await sch.wait();
    assert.equal(calls, 0);
  });
});
