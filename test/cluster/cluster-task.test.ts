/**
 * ClusterTask takes the replies of a job exactly once, however BullMQ delivered the job: twice
 * (a worker lost mid-task), or partly lost (a Redis that restarted empty). No Redis needed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ClusterTask } from '../../src/cluster/cluster-task.js';
import type { Reply } from '../../src/cluster/protocol.js';
import type { RunInfo } from '../../src/executors/executor.js';
import type { Transport } from '../../src/executors/remote-task.js';
import { toWire } from '../../src/executors/wire.js';
import { watch } from '../helpers/deferred.js';

const transport: Transport = { abort() {}, stop() {}, kill() {} };

function makeTask(generator: boolean) {
  const info: RunInfo = {
    id: 7,
    name: 'job',
    attempt: 0,
    signal: new AbortController().signal,
    receiver: undefined,
  };
  const items: unknown[] = [];
  let forgotten = 0;
  const task = new ClusterTask(
    1,
    { id: 'abc-1', data: { reply: 'r', task: '' }, exportName: 'job', generator },
    info,
    transport,
    100,
    generator ? (value) => items.push(value) > 0 : undefined,
    () => forgotten++,
  );
  const item = (index: number, value: unknown): Reply => ({
    job: 'abc-1',
    kind: 'item',
    index,
    value,
  });
  const end = (value: unknown): Reply => ({
    job: 'abc-1',
    kind: 'end',
    outcome: { ok: true, value },
  });
  return { task, items, forgotten: () => forgotten, item, end, outcome: task.promise };
}

describe('ClusterTask', () => {
  test('a job run twice: the second copy of its result is ignored', async () => {
    const { task, forgotten, end, outcome } = makeTask(false);
    task.receive(end('first'));
    task.receive(end('second'));
    assert.equal(await outcome, 'first');
    assert.equal(forgotten(), 1, 'forgotten once, when it settled');
  });

  test("a generator's items are taken once each, in order, from either run", async () => {
    const { task, items, item, end, outcome } = makeTask(true);
    for (const i of [0, 1, 2]) task.receive(item(i, `a${i}`)); // the first run, then lost
    for (const i of [0, 1, 2, 3, 4]) task.receive(item(i, `b${i}`)); // BullMQ runs it again
    task.receive(end(5));
    assert.equal(await outcome, 5);
    assert.deepEqual(items, ['a0', 'a1', 'a2', 'b3', 'b4']);
  });

  test('an end that does not fit the items taken waits for the run that does', async () => {
    const { task, items, item, end, outcome } = makeTask(true);
    task.receive(item(0, 0));
    // Redis lost item 1 of the first run; items 2 and 3 and its end still came.
    task.receive(item(2, 2));
    task.receive(item(3, 3));
    task.receive(end(4));
    const watched = watch(outcome);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(watched.state, 'pending');
    assert.deepEqual(items, [0], 'held until the gap fills');
    for (const i of [0, 1, 2, 3]) task.receive(item(i, i)); // the job, added again, runs again
    task.receive(end(4));
    assert.equal(await outcome, 4);
    assert.deepEqual(items, [0, 1, 2, 3]);
  });

  test("a failure comes back as the worker's error", async () => {
    const { task, outcome } = makeTask(false);
    const thrown = new RangeError('too far');
    task.receive({ job: 'abc-1', kind: 'end', outcome: { ok: false, error: toWire(thrown) } });
    await assert.rejects(outcome, (e) => {
      assert.ok(e instanceof RangeError);
      assert.equal(e.message, 'too far');
      assert.equal(e.stack, thrown.stack);
      return true;
    });
  });
});
