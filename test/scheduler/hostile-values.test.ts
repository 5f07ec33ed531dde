/**
 * Hostile arguments and results (issue 13, items 4, 5, 8, 9, 10): each ends with the task done
 * with the right value or failed with a clear error, its slot free, and the counts whole.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ArgumentError,
  type Future,
  Queue,
  Scheduler,
  type TaskEndEvent,
} from '../../src/index.js';
import { failureOf } from '../helpers/failure.js';

function setup(concurrency = 1): { sch: Scheduler; Q: Queue } {
  const sch = new Scheduler();
  return { sch, Q: new Queue(sch, { concurrency }) };
}

/** The scheduler goes on: a later task on the same one-slot queue still runs. */
async function stillServes(sch: Scheduler, Q: Queue): Promise<void> {
  const after = Q.submit(() => 'after');
  await sch.wait().catch(() => undefined);
  assert.equal(after.status, 'done');
  assert.equal(after.result(), 'after');
  assert.equal(sch.stats().total.running, 0);
}

describe('arguments that cannot be resolved fail their task, not the dispatch loop', () => {
  test('a 20,000-deep linked list holding a future is copied without recursion', async () => {
    const { sch, Q } = setup();
    const a = Q.submit(() => 7);
    let list: { next: unknown; value: unknown } = { next: null, value: a };
    for (let i = 0; i < 20_000; i++) list = { next: list, value: i };
    const sum = Q.submit((head: typeof list) => {
      let node: unknown = head;
      let last: unknown;
      let depth = 0;
      while (node !== null) {
        last = (node as typeof list).value;
        node = (node as typeof list).next;
        depth++;
      }
      return [depth, last];
    }, list);
    sch.start();
    await sch.wait();
    assert.deepEqual(sum.result(), [20_001, 7]);
  });

  test('a future put into a container after submit, not finished when the task starts', async () => {
    const { sch, Q } = setup();
    const box: unknown[] = [];
    const a = Q.submit(() => 1);
    const user = Q.submit((b: unknown[]) => b.length, [a, box]);
    const late = Q.submit((n: number) => n, user); // runs only after user
    box.push(late); // after submit: the scheduler does not know of it
    sch.start();
    const failure = await failureOf(sch);
    assert.equal(user.status, 'failed');
    const error = failure.errors[0];
    assert.ok(error instanceof ArgumentError);
    assert.deepEqual(error.task, { id: user.id, name: user.name });
    assert.match(error.message, /could not be read when it started/);
    await stillServes(sch, Q);
  });

  test('a getter that throws only when the task starts', async () => {
    const { sch, Q } = setup();
    const a = Q.submit(() => 1);
    let reads = 0;
    const arg = {
      a,
      get boom(): number {
        reads++;
        if (reads > 1) throw new Error('getter broke');
        return 1;
      },
    };
    const user = Q.submit((v: unknown) => v, arg);
    sch.start();
    const failure = await failureOf(sch);
    assert.equal(user.status, 'failed');
    const error = failure.errors[0];
    assert.ok(error instanceof ArgumentError);
    assert.ok(error.cause instanceof Error && error.cause.message === 'getter broke');
    await stillServes(sch, Q);
  });

  test('a Proxy revoked after submit', async () => {
    const { sch, Q } = setup();
    const a = Q.submit(() => 1);
    const { proxy, revoke } = Proxy.revocable({ x: 1 }, {});
    const user = Q.submit((v: unknown) => v, [a, [proxy]]);
    revoke();
    sch.start();
    const failure = await failureOf(sch);
    assert.equal(user.status, 'failed');
    assert.ok(failure.errors[0] instanceof ArgumentError);
    await stillServes(sch, Q);
  });

  test('arguments that throw while read at submit are refused with a TypeError naming the task', () => {
    const { sch, Q } = setup();
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    assert.throws(
      () => Q.options({ name: 'reader' }).submit((v: unknown) => v, [proxy]),
      (e: unknown) => e instanceof TypeError && /task `reader`.*readable/.test(e.message),
    );
    const getter = {
      get x(): number {
        throw new Error('no');
      },
    };
    assert.throws(
      () => Q.options({ name: 'g' }).submit((v: unknown) => v, getter),
      (e: unknown) => e instanceof TypeError && /task `g`/.test(e.message),
    );
    assert.equal(sumCounts(sch), 0, 'nothing was queued');
  });

  test('an own __proto__ key stays a key of the copy, never its prototype', async () => {
    const { sch, Q } = setup();
    const a = Q.submit(() => 1);
    const arg = JSON.parse('{"__proto__": {"polluted": true}, "n": 0}') as Record<string, unknown>;
    arg.f = a;
    const seen = Q.submit((v: Record<string, unknown>) => {
      return {
        proto: Object.getPrototypeOf(v) === Object.prototype,
        own: Object.hasOwn(v, '__proto__'),
        polluted: (v as { polluted?: unknown }).polluted,
        f: v.f,
      };
    }, arg);
    sch.start();
    await sch.wait();
    assert.deepEqual(seen.result(), { proto: true, own: true, polluted: undefined, f: 1 });
  });

  test('a sparse array 2^32-1 long is scanned and copied by its own keys', async () => {
    const { sch, Q } = setup();
    const a = Q.submit(() => 5);
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    sparse[3] = a;
    sparse[2 ** 32 - 2] = 'last';
    const seen = Q.submit(
      (v: unknown[]) => [v.length, v[3], v[2 ** 32 - 2], Object.keys(v).length],
      sparse,
    );
    sch.start();
    await sch.wait();
    assert.deepEqual(seen.result(), [2 ** 32 - 1, 5, 'last', 2]);
  });
});

function sumCounts(sch: Scheduler): number {
  const c = sch.stats().total;
  return c.waiting + c.ready + c.running + c.done + c.failed + c.cancelled;
}

describe('results that are hostile thenables', () => {
  test('a result whose then getter throws fails the task with that error', async () => {
    const { sch, Q } = setup();
    const result = new Proxy(
      {},
      {
        get(_t, key) {
          if (key === 'then') throw new Error('no then for you');
          return undefined;
        },
      },
    );
    const t = Q.submit(() => result);
    sch.start();
    const failure = await failureOf(sch);
    assert.equal(t.status, 'failed');
    assert.equal((failure.errors[0] as Error).message, 'no then for you');
    await stillServes(sch, Q);
  });

  test('a thenable that calls back three times settles once, with the first outcome', async () => {
    for (const withOptions of [false, true]) {
      const { sch, Q } = setup();
      const ends: TaskEndEvent[] = [];
      sch.on('task:end', (e) => ends.push(e));
      const thenable = {
        // biome-ignore lint/suspicious/noThenProperty: the hostile result under test.
        then(ok: (v: unknown) => void, fail: (e: unknown) => void): void {
          ok(1);
          ok(2);
          fail(new Error('late'));
        },
      };
      const submitter = withOptions ? Q.options({ retries: 1 }) : Q;
      const t = submitter.submit(() => thenable);
      sch.start();
      await sch.wait();
      assert.equal(t.status, 'done');
      assert.equal(t.result(), 1);
      assert.equal(ends.length, 1, 'one task:end');
      assert.equal(sch.stats().total.running, 0);
      assert.equal(sch.stats().total.done, 1);
      assert.equal(sch.stats().total.failed, 0);
    }
  });

  test('a thenable whose then calls back, then throws, keeps its first outcome', async () => {
    const { sch, Q } = setup();
    const t = Q.submit(() => ({
      // biome-ignore lint/suspicious/noThenProperty: the hostile result under test.
      then(ok: (v: unknown) => void): void {
        ok('first');
        throw new Error('after');
      },
    }));
    sch.start();
    await sch.wait();
    assert.equal(t.result(), 'first');
  });
});

describe('wait() and idle listeners', () => {
  test('a task submitted from an idle listener keeps the pending wait() open', async () => {
    const { sch, Q } = setup();
    let resubmitted: Future<string> | undefined;
    sch.on('idle', () => {
      if (resubmitted !== undefined) return;
      resubmitted = Q.submit(async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return 'late';
      });
    });
    Q.submit(() => 'first');
    sch.start();
    await sch.wait();
    assert.ok(resubmitted !== undefined);
    assert.equal(resubmitted.status, 'done', 'wait() resolved only after the idle task settled');
  });
});
