import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Queue, Scheduler, Timeline } from '../../src/index.js';
import { deferred } from '../helpers/deferred.js';

describe('timeline recording', () => {
  test('records one span per task with queue, name, id, times, status and attempt', async () => {
    const sch = new Scheduler();
    const cpu = new Queue(sch, { concurrency: 1, name: 'cpu' });
    const io = new Queue(sch, { concurrency: 2, name: 'io' });
    const before = performance.now();
    const a = cpu.options({ name: 'a' }).submit(() => 1);
    const b = io.options({ name: 'b' }).submit(async (x: number) => x + 1, a);
    sch.start();
    await sch.wait();
    const after = performance.now();
    const t = sch.timeline();
    assert.ok(t instanceof Timeline);
    assert.equal(t.taskCount, 2);
    assert.equal(t.spanCount, 2);
    const spans = [...t.spans()];
    assert.deepEqual(
      spans.map((s) => [s.id, s.name, s.queue, s.status, s.attempt]),
      [
        [a.id, 'a', 'cpu', 'done', 0],
        [b.id, 'b', 'io', 'done', 0],
      ],
    );
    for (const s of spans) assert.ok(before <= s.start && s.start <= s.end && s.end <= after);
    assert.ok((spans[0]?.end ?? 0) <= (spans[1]?.start ?? 0), 'b starts after a ended');
    assert.deepEqual(t.task(b.id)?.dependencies, [a.id]);
    assert.equal(t.task(a.id)?.final, false);
    assert.equal(t.task(b.id)?.final, true);
    assert.equal(t.finalResults, 1);
    assert.deepEqual([...t.finalResultTimes()], [spans[1]?.end]);
    assert.equal(t.task(99), undefined);
    assert.throws(() => t.span(2), RangeError);
  });

  test('a retried task has a span per attempt; a cancelled one has none', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1, name: 'q' });
    let calls = 0;
    const flaky = Q.options({ name: 'flaky', retries: 1 }).submit(() => {
      if (calls++ === 0) throw new Error('first attempt fails');
      return 1;
    });
    const bad = Q.options({ name: 'bad' }).submit((): number => {
      throw new Error('boom');
    });
    const dependent = Q.options({ name: 'dependent' }).submit((x: number) => x, bad);
    sch.start();
    await assert.rejects(sch.wait());
    const t = sch.timeline();
    const flakySpans = [...t.spans()].filter((s) => s.id === flaky.id);
    assert.deepEqual(
      flakySpans.map((s) => [s.status, s.attempt]),
      [
        ['retried', 0],
        ['done', 1],
      ],
    );
    assert.equal([...t.spans()].find((s) => s.id === bad.id)?.status, 'failed');
    assert.equal([...t.spans()].filter((s) => s.id === dependent.id).length, 0, 'never ran');
    assert.equal(t.task(dependent.id)?.status, 'cancelled');
    assert.equal(t.task(bad.id)?.status, 'failed');
    assert.equal(t.finalResults, 1, 'only flaky is a final result that is done');
  });

  test('records generator items with their index, and item dependencies as edges', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, name: 'q' });
    function* three(): Generator<number> {
      yield 10;
      yield 20;
      yield 30;
    }
    const stream = Q.submit(three);
    const uses = Q.submit((x: number, y: number) => x + y, stream.at(0), stream.at(2));
    sch.start();
    await sch.wait();
    const t = sch.timeline();
    const items = [...t.items()];
    assert.deepEqual(
      items.map((i) => [i.id, i.index]),
      [
        [stream.id, 0],
        [stream.id, 1],
        [stream.id, 2],
      ],
    );
    assert.ok(items.every((item, k) => k === 0 || (items[k - 1]?.time ?? 0) <= item.time));
    assert.deepEqual(t.task(uses.id)?.dependencies, [stream.id], 'one edge for two items');
    assert.equal(t.isFinal(stream.id), false);
    assert.equal(t.isFinal(uses.id), true);
  });

  test('a task submitted later that depends on a final result makes it intermediate', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const a = Q.submit(() => 1);
    sch.start();
    await sch.wait();
    assert.equal(sch.timeline().finalResults, 1);
    Q.submit((x: number) => x, a);
    const pending = sch.timeline();
    assert.equal(pending.finalResults, 0, 'a has a dependent now; the dependent is not done');
    assert.equal(pending.task(2)?.status, 'pending');
    await sch.wait();
    assert.equal(sch.timeline().finalResults, 1);
  });

  test('a running span is reported as running, ending when the timeline was taken', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const gate = deferred();
    Q.submit(() => gate.promise);
    sch.start();
    await new Promise((resolve) => setImmediate(resolve));
    const t = sch.timeline();
    const span = t.span(0);
    assert.equal(span.status, 'running');
    assert.equal(span.end, t.columns.capturedAt);
    assert.equal(t.task(1)?.status, 'running');
    gate.resolve();
    await sch.wait();
    assert.equal(t.span(0).status, 'running', 'a timeline is a copy: it does not change');
    assert.equal(sch.timeline().span(0).status, 'done');
  });

  test('grows past its initial capacity without losing records', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 4 });
    const n = 5000;
    let last = Q.submit(() => 0);
    for (let i = 1; i < n; i++) last = Q.submit((x: number) => x + 1, last);
    sch.start();
    await sch.wait();
    const t = sch.timeline();
    assert.equal(t.taskCount, n);
    assert.equal(t.spanCount, n);
    assert.deepEqual(t.task(n)?.dependencies, [n - 1]);
    assert.equal(t.finalResults, 1);
    assert.equal(t.span(n - 1).id, n, 'a chain starts in submission order');
  });

  test('record: false records nothing and timeline() says how to turn it on', async () => {
    const sch = new Scheduler({ record: false });
    const Q = new Queue(sch);
    const a = Q.submit(() => 2);
    sch.start();
    await sch.wait();
    assert.equal(a.result(), 2);
    assert.throws(() => sch.timeline(), /record: false/);
    assert.throws(() => new Scheduler({ record: 'yes' as unknown as boolean }), TypeError);
  });
});
