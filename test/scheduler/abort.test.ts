import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CancelledError,
  currentTask,
  DependencyError,
  Queue,
  Scheduler,
  type TaskEndEvent,
} from '../../src/index.js';
import { deferred, ticks } from '../helpers/deferred.js';
import { Gates } from '../helpers/gates.js';

describe('signal: the user aborts a task', () => {
  test('aborted by a task:start listener: the function sees its signal aborted; the task is cancelled', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const controller = new AbortController();
    const reason = new Error('stop it now');
    sch.on('task:start', () => controller.abort(reason));
    let seen: unknown;
    const victim = Q.options({ name: 'victim', signal: controller.signal }).submit(async () => {
      const signal = currentTask()?.signal;
      seen = signal?.aborted ? signal.reason : 'not aborted';
      signal?.throwIfAborted();
      return 1;
    });
    sch.start();
    await sch.wait();
    assert.equal(seen, reason, 'the abort reached the running function');
    assert.equal(victim.status, 'cancelled');
  });

  test('aborted before it starts: CancelledError; dependents get DependencyError; wait() resolves', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'q' });
    const ends: TaskEndEvent[] = [];
    sch.on('task:end', (e) => ends.push(e));
    const gates = new Gates();
    const blocker = Q.submit(gates.fn('blocker'));
    sch.start();
    await ticks();
    assert.equal(blocker.status, 'running', 'it keeps the only slot');
    const controller = new AbortController();
    let ran = false;
    const victim = Q.options({ name: 'victim', signal: controller.signal }).submit(() => {
      ran = true;
      return 1;
    });
    const child = Q.submit((v: number) => v + 1, victim);
    const grandchild = Q.options({ after: child }).submit(() => 0);
    const independent = Q.submit(() => 'still runs');
    await ticks();
    assert.equal(victim.status, 'ready');
    const reason = new Error('not needed any more');
    controller.abort(reason);
    assert.equal(victim.status, 'cancelled', 'cancelled at once');
    assert.throws(
      () => victim.result(),
      (e) => {
        assert.ok(e instanceof CancelledError);
        assert.equal(e.task.id, victim.id);
        assert.match(e.message, /victim/);
        assert.equal(e.cause, reason);
        return true;
      },
    );
    let cancelledError: unknown;
    try {
      victim.result();
    } catch (e) {
      cancelledError = e;
    }
    for (const dependent of [child, grandchild]) {
      assert.equal(dependent.status, 'cancelled');
      assert.throws(
        () => dependent.result(),
        (e) =>
          e instanceof DependencyError &&
          e.cause === cancelledError &&
          e.failedTask.id === victim.id,
      );
    }
    gates.end('blocker');
    await sch.wait(); // user cancellations do not make wait() reject
    assert.equal(ran, false);
    assert.equal(independent.result(), 'still runs');
    assert.equal(sch.stats().total.cancelled, 3);
    assert.equal(sch.stats().total.failed, 0);
    const end = ends.find((e) => e.id === victim.id);
    assert.equal(end?.status, 'cancelled');
    assert.equal(end?.error, cancelledError);
  });

  test('a signal already aborted at submit gives a cancelled task', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const signal = AbortSignal.abort(new Error('too late'));
    let ran = false;
    const t = Q.options({ signal }).submit(() => {
      ran = true;
    });
    assert.equal(t.status, 'cancelled');
    assert.throws(() => t.result(), CancelledError);
    const child = Q.submit((_: unknown) => 1, t);
    assert.equal(child.status, 'cancelled');
    assert.throws(() => child.result(), DependencyError);
    sch.start();
    await sch.wait();
    assert.equal(ran, false);
  });

  test('aborting a task waiting on its dependencies cancels it; it never runs', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const gates = new Gates();
    const dep = Q.submit(gates.fn('dep'));
    const controller = new AbortController();
    let ran = false;
    const t = Q.options({ signal: controller.signal }).submit((_: string) => {
      ran = true;
    }, dep);
    sch.start();
    await ticks();
    assert.equal(t.status, 'waiting');
    controller.abort();
    assert.equal(t.status, 'cancelled');
    gates.end('dep');
    await sch.wait();
    assert.equal(ran, false);
    assert.equal(dep.status, 'done');
  });

  test('aborted while running: the task sees its signal aborted; if it throws, it is cancelled', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const controller = new AbortController();
    const started = deferred<AbortSignal | undefined>();
    let runs = 0;
    const t = Q.options({ signal: controller.signal, retries: 3, name: 'long' }).submit(
      async (): Promise<number> => {
        runs++;
        const signal = currentTask()?.signal;
        started.resolve(signal);
        await new Promise((_, reject) => {
          signal?.addEventListener('abort', () => reject(new Error('stopped early')));
        });
        return 1;
      },
    );
    const child = Q.submit((v: number) => v, t);
    sch.start();
    const signal = await started.promise;
    assert.equal(signal?.aborted, false);
    const reason = new Error('user abort');
    controller.abort(reason);
    assert.equal(signal?.aborted, true);
    assert.equal(signal?.reason, reason);
    await sch.wait(); // a cancellation, not a failure: wait() resolves
    assert.equal(t.status, 'cancelled', 'cancelled, not failed');
    assert.equal(runs, 1, 'a cancelled task is not retried');
    assert.throws(() => t.result(), CancelledError);
    assert.throws(() => child.result(), DependencyError);
    assert.equal(sch.stats().total.failed, 0);
  });

  test('aborting after the task settled changes nothing', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const controller = new AbortController();
    const t = Q.options({ signal: controller.signal }).submit(() => 'done');
    sch.start();
    await sch.wait();
    controller.abort();
    await ticks();
    assert.equal(t.status, 'done');
    assert.equal(t.result(), 'done');
    await sch.wait();
  });

  test('a signal that is not an AbortSignal throws TypeError at submit, nothing queued', () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    for (const signal of [{}, 'abort', new AbortController(), { aborted: true }, null]) {
      const options = { signal } as unknown as { signal: AbortSignal };
      assert.throws(
        () => Q.options(options).submit(() => 1),
        (e) => e instanceof TypeError && /signal/.test(e.message),
      );
    }
    assert.equal(sch.stats().total.ready, 0);
  });
});
