/**
 * Failures the model-based fuzzer found (test/reliability/fuzz/), each kept as a plain test
 * with the sequence that found it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Queue, Scheduler } from '../../src/index.js';
import { ticks, watch } from '../helpers/deferred.js';
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
});
