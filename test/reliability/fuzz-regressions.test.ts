/**
 * Failures the model-based fuzzer found (test/reliability/fuzz/), each kept as a plain test
 * with the sequence that found it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { currentTask, type Future, Queue, Scheduler } from '../../src/index.js';
import { ticks, watch } from '../helpers/deferred.js';
import { failureOf } from '../helpers/failure.js';
import { Gates, within } from '../helpers/gates.js';

describe('fuzz regressions', () => {
  // Seed 1303102018: start(); t0 runs; t1 { hold, retries: 1 } waits for the one slot; t0
  // ends, t1 starts; stop(); t1's attempt fails and is retried. Nothing ran any more, but the
  // retry path never woke stop()'s callers: stop() hung.
  test('stop() resolves when the last running task fails and is put back for a retry', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const gates = new Gates();
    const t1 = Q.options({ retries: 1 }).submit(gates.fn('t1'));
    const t0 = Q.submit(gates.fn('t0')); // the newest starts first
    sch.start();
    await ticks(1);
    gates.end('t0');
    await t0;
    await ticks(1);
    assert.deepEqual(gates.started, ['t0', 't1']);
    const stopped = watch(sch.stop());
    gates.fail('t1', new Error('first attempt fails'));
    await ticks(1);
    assert.equal(stopped.state, 'fulfilled', 'stop() resolved: nothing runs');
    assert.equal(t1.status, 'ready', 'put back for its retry, not started while stopped');
    sch.start();
    await ticks(1);
    gates.end('t1', 'second attempt');
    await within(sch.wait(), 1000, 'wait()');
    assert.equal(t1.result(), 'second attempt');
  });

  // Found by the fuzzer once it had timeouts (a fake clock): a task that timed out and was
  // retried while its first attempt still ran was put among the unstarted tasks while it was
  // still among its queue's occupants. Both lists are linked through the task, so they got
  // tangled: explain() listed waiting tasks as taking the slots, and later looped forever
  // over a cycle (the fuzzer died out of memory). The timed-out attempt now hands its slot and
  // resources to a stand-in until its function returns.
  test('a timed-out attempt still running keeps its slot apart from its retry', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, name: 'q', resources: { gpu: 2 } });
    const gates = new Gates();
    const D = Q.options({ name: 'D' }).submit(gates.fn('D')); // the oldest: waits longest
    const C = Q.options({ name: 'C' }).submit(gates.fn('C')); // waits for a slot
    const B = Q.options({ name: 'B' }).submit(gates.fn('B'));
    const attempts: number[] = [];
    let firstAttemptReturns: (() => void) | undefined;
    const T = Q.options({ name: 'T', timeout: 20, retries: 1, resources: { gpu: 1 } }).submit(
      async () => {
        const attempt = currentTask()?.attempt ?? -1;
        attempts.push(attempt);
        if (attempt === 0) await new Promise<void>((resolve) => (firstAttemptReturns = resolve));
        return attempt;
      },
    );
    sch.start();
    await within(
      new Promise<void>((resolve) => sch.on('task:retry', () => resolve())),
      2000,
      'the timeout',
    );
    // T's first attempt runs on past its timeout, B runs: the queue is full.
    const occupants = (f: Future<unknown>) =>
      (sch.explain(f).occupants ?? []).map((o) => `${o.id}:${o.status}`).sort();
    assert.equal(sch.explain(C).reason, 'queue-full');
    assert.deepEqual(occupants(C), [`${B.id}:running`, `${T.id}:running`].sort());
    gates.end('B');
    await ticks(3);
    assert.deepEqual(attempts, [0, 1], 'the retry took the slot B freed');
    assert.equal(T.result(), 1);
    assert.equal(C.status, 'running', 'then C took it');
    assert.equal(sch.explain(D).reason, 'queue-full', 'the first attempt still runs');
    assert.deepEqual(occupants(D), [`${C.id}:running`, `${T.id}:running`].sort());
    (firstAttemptReturns as () => void)();
    await ticks(3);
    assert.equal(D.status, 'running', 'its function returned: D took its slot');
    gates.end('C');
    gates.end('D');
    await within(sch.wait(), 2000, 'wait()');
    // Every slot and every unit of the resource came back.
    const all = [gates.fn('x'), gates.fn('y')].map((fn) =>
      Q.options({ resources: { gpu: 1 } }).submit(fn),
    );
    await ticks(3);
    assert.deepEqual(
      all.map((f) => f.status),
      ['running', 'running'],
    );
    gates.end('x');
    gates.end('y');
    await sch.wait();
  });

  // Found while adding declared counts and generator retries to the fuzzer: a held generator
  // took its hold when its function returned, then failed because its stream did not add up
  // (StreamCountError, StreamReplayError) and kept holding: the queue deadlocked. A task that
  // fails does not hold.
  test('a held generator that fails at its end (count or replay) gives its slot back', async () => {
    const sch = new Scheduler();
    const counted = new Queue(sch, { concurrency: 1, name: 'counted', resources: { gpu: 1 } });
    const replayed = new Queue(sch, { concurrency: 1, name: 'replayed' });
    function* twoDeclaredOneYielded(): Generator<number> {
      yield 1;
    }
    twoDeclaredOneYielded.numberOfResults = () => 2;
    async function* shorterOnRetry(): AsyncGenerator<number> {
      const attempt = currentTask()?.attempt ?? 0;
      yield 1;
      if (attempt > 0) return;
      yield 2;
      throw new Error('the first attempt fails after two items');
    }
    const afterCount = counted.options({ resources: { gpu: 1 } }).submit(() => 'ran');
    const afterReplay = replayed.submit(() => 'ran');
    const a = counted.options({ hold: true, resources: { gpu: 1 } }).submit(twoDeclaredOneYielded);
    const b = replayed.options({ hold: true, retries: 1 }).submit(shorterOnRetry);
    sch.start();
    const failure = await within(failureOf(sch), 2000, 'wait()');
    assert.deepEqual(failure.errors.map((e) => (e as Error).name).sort(), [
      'StreamCountError',
      'StreamReplayError',
    ]);
    assert.equal(a.status, 'failed');
    assert.equal(b.status, 'failed');
    assert.equal(afterCount.result(), 'ran', 'the slot and the resource came back');
    assert.equal(afterReplay.result(), 'ran', 'the slot came back');
  });
});
