import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Future, IndexError, Queue, Scheduler } from '../../src/index.js';
import { deferred } from '../helpers/deferred.js';

/**
 * Item futures far past the end (issue 13, item 13): what they cost follows the items yielded
 * and the futures asked for, never the index; and the indices and declared counts that at()
 * and numberOfResults refuse (docs/errors.md: at-range, at-unsafe, count-range, count-unsafe,
 * count-threw).
 */

function* three(): Generator<number> {
  yield 10;
  yield 20;
  yield 30;
}

function setup(): { sch: Scheduler; Q: Queue } {
  const sch = new Scheduler();
  return { sch, Q: new Queue(sch, { concurrency: 2 }) };
}

/** A hang guard only: a test that would otherwise never end fails instead. */
function settlesWithin<T>(promise: PromiseLike<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle (hang guard)`)), ms);
  });
  return Promise.race([Promise.resolve(promise), guard]).finally(() => clearTimeout(timer));
}

function indexErrorOf(future: Future<unknown>, index: number, task: Future<unknown>): void {
  assert.equal(future.status, 'failed', `item ${index}`);
  assert.throws(
    () => future.result(),
    (e) => {
      assert.ok(e instanceof IndexError, `item ${index}: ${String(e)}`);
      assert.equal(e.index, index);
      assert.match(e.message, new RegExp(`task ${task.id} \\(three\\) yielded 3 item\\(s\\)`));
      return true;
    },
  );
}

describe('at(i) far past the end', () => {
  test('indices past the array range (2^32 - 1 and up) fail with IndexError when the stream ends', async () => {
    const { sch, Q } = setup();
    const s = Q.submit(three);
    const far = [2 ** 32 - 1, 2 ** 32, 1e15, 2 ** 53 - 1];
    const items = far.map((i) => s.at(i));
    for (const item of items) assert.equal(item.status, 'waiting');
    sch.start();
    await settlesWithin(sch.wait(), 'wait()');
    for (let k = 0; k < far.length; k++) {
      await settlesWithin(
        (items[k] as Future<number>).then(
          () => assert.fail('an item past the end is no value'),
          () => undefined,
        ),
        `at(${far[k]})`,
      );
      indexErrorOf(items[k] as Future<number>, far[k] as number, s);
    }
  });

  test('asked after the end, a far index fails at once', async () => {
    const { sch, Q } = setup();
    const s = Q.submit(three);
    sch.start();
    await sch.wait();
    for (const i of [3, 2 ** 32 - 2, 2 ** 32 - 1, 1e15, 2 ** 53 - 1]) indexErrorOf(s.at(i), i, s);
    assert.equal(s.at(2).result(), 30);
    const errorAt = (i: number): unknown => s.at(i).then(undefined, (e: unknown) => e);
    assert.equal(await errorAt(1e15), await errorAt(1e15), 'one item node, one error, per index');
  });

  test('a far index on a generator that fails takes its error; on a cancelled one, its DependencyError', async () => {
    const { sch, Q } = setup();
    const boom = new Error('boom');
    function* failing(): Generator<number> {
      yield 1;
      throw boom;
    }
    const gate = deferred<number>();
    const blocker = Q.submit(() => gate.promise);
    const s = Q.submit(failing);
    const dependent = Q.submit(function* blocked(_x: number) {
      yield 1;
    }, blocker);
    const a = s.at(1e15);
    const b = dependent.at(2 ** 40);
    sch.start();
    gate.reject(new Error('blocker failed'));
    await settlesWithin(
      sch.wait().catch(() => undefined),
      'wait()',
    );
    await settlesWithin(
      a.then(undefined, () => undefined),
      'at(1e15) of a failing stream',
    );
    await settlesWithin(
      b.then(undefined, () => undefined),
      'at(2^40) of a cancelled stream',
    );
    assert.equal(a.status, 'failed');
    assert.throws(
      () => a.result(),
      (e) => e === boom,
    );
    assert.equal(b.status, 'cancelled');
  });

  test('the cost of ending a stream follows the futures asked for, not their index', async () => {
    // Before the fix, ending the stream looped over every index up to the largest asked for
    // (about 20 ns each: 2^32 - 2 is well over a minute), blocking the event loop, where no
    // in-process timer can fire. So this runs in a child process, killed by a generous hang
    // guard; the scenario itself takes a few milliseconds.
    const index = new URL('../../src/index.ts', import.meta.url).href;
    const code = `
      const { Queue, Scheduler, IndexError } = await import(${JSON.stringify(index)});
      const sch = new Scheduler();
      const Q = new Queue(sch);
      const s = Q.submit(function* three() { yield 1; yield 2; yield 3; });
      const far = [2 ** 32 - 2, 4e9, 1e9, 4e7].map((i) => s.at(i));
      sch.start();
      await sch.wait();
      const errors = await Promise.all(far.map((f) => f.then(() => 'value', (e) => e instanceof IndexError ? e.index : String(e))));
      console.log(JSON.stringify(errors));
    `;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', code],
        { timeout: 30_000, cwd: fileURLToPath(new URL('../..', import.meta.url)) },
        (error, stdout, stderr) => {
          if (error) reject(new Error(`the child did not finish: ${error.message}\n${stderr}`));
          else resolve(stdout);
        },
      );
    });
    assert.deepEqual(JSON.parse(out), [2 ** 32 - 2, 4e9, 1e9, 4e7]);
  });

  test('many at() for one index share one item: all settle together, each dependent runs once', async () => {
    const { sch, Q } = setup();
    const f = deferred();
    const s = Q.submit(async function* slow() {
      await f.promise;
      yield 'x';
    });
    const items = Array.from({ length: 1000 }, () => s.at(0));
    let runs = 0;
    const dependents = items.slice(0, 100).map((item) =>
      Q.submit((v: string) => {
        runs++;
        return v;
      }, item),
    );
    sch.start();
    f.resolve();
    await sch.wait();
    for (const item of items) assert.equal(item.result(), 'x');
    for (const d of dependents) assert.equal(d.result(), 'x');
    assert.equal(runs, 100);
  });

  test('a stream of 0 items: await gives [], at(0) fails with IndexError, for await ends at once', async () => {
    const { sch, Q } = setup();
    const none = Q.submit(function* none(): Generator<number> {});
    const early = none.at(0);
    sch.start();
    assert.deepEqual(await none, []);
    assert.equal(none.length, 0);
    await assert.rejects(async () => early, IndexError);
    await assert.rejects(async () => none.at(0), IndexError);
    let n = 0;
    for await (const _ of none) n++;
    assert.equal(n, 0);
    await sch.wait();
  });
});

describe('at(i): indices it refuses, at the call', () => {
  test('not a safe integer from 0 up: RangeError naming the task and the index; -0 is item 0', async () => {
    const { sch, Q } = setup();
    const s = Q.submit(three);
    const refused = [
      -1,
      -0.5,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      2 ** 53,
      2 ** 53 + 2,
      1e300,
      Number.MAX_VALUE,
      Number.MIN_VALUE,
    ];
    for (const bad of refused) {
      assert.throws(
        () => s.at(bad),
        (e) => {
          assert.ok(e instanceof RangeError, `at(${bad}): ${String(e)}`);
          assert.match(e.message, new RegExp(`at\\(\\) of task ${s.id} \\(three\\)`));
          assert.match(e.message, /to be an integer from 0 up to 2\^53 - 1/);
          return true;
        },
        `at(${bad})`,
      );
    }
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    for (const bad of [
      '1',
      undefined,
      null,
      1n,
      {},
      new Number(1),
      Symbol('i'),
      trap,
      revoked.proxy,
    ]) {
      assert.throws(
        () => s.at(bad as unknown as number),
        (e) =>
          e instanceof TypeError &&
          !(e instanceof RangeError) &&
          e.message.includes(`at() of task ${s.id} (three) to be a number`),
        `at(${typeof bad})`,
      );
    }
    const zero = s.at(-0);
    sch.start();
    assert.equal(await zero, 10);
    assert.ok(Object.is(s.at(-0).result(), 10));
    assert.equal(s.at(2 ** 53 - 1).status, 'failed');
  });
});

describe('numberOfResults: counts it refuses, at submit', () => {
  test('a count of 2^53 or more is a RangeError naming the task; nothing is queued', () => {
    const { sch, Q } = setup();
    for (const bad of [2 ** 53, 2 ** 60, 1e300, Number.MAX_VALUE]) {
      function* big() {
        yield 1;
      }
      big.numberOfResults = () => bad;
      assert.throws(
        () => Q.submit(big),
        (e) =>
          e instanceof RangeError &&
          e.message.includes('`numberOfResults` of task `big`') &&
          e.message.includes('at most 2^53 - 1'),
        `numberOfResults returning ${bad}`,
      );
    }
    assert.equal(sch.stats().total.waiting, 0);
  });

  test('the largest safe count is kept; -0 counts as 0', async () => {
    const { sch, Q } = setup();
    function* big() {
      yield 1;
    }
    big.numberOfResults = () => 2 ** 53 - 1;
    const s = Q.submit(big);
    assert.equal(s.length, 2 ** 53 - 1);
    function* none() {}
    none.numberOfResults = () => -0;
    const z = Q.submit(none);
    assert.ok(Object.is(z.length, 0));
    assert.deepEqual([...z], []);
    sch.start();
    await sch.wait().catch(() => undefined);
    assert.equal(s.status, 'failed', 'one item of 2^53 - 1 declared');
    assert.deepEqual(await z, []);
  });

  test('numberOfResults that throws, or a getter for it that throws: an Error naming the task, with the cause', () => {
    const { sch, Q } = setup();
    const thrown = [new Error('no count'), 'a string', undefined, Symbol('s')];
    for (const what of thrown) {
      function* counted() {
        yield 1;
      }
      counted.numberOfResults = () => {
        throw what;
      };
      assert.throws(
        () => Q.submit(counted),
        (e) =>
          e instanceof Error &&
          e.message.includes('`numberOfResults` of task `counted` threw') &&
          e.message.includes('nothing was queued') &&
          e.cause === what,
        `throwing ${String(what)}`,
      );
    }
    function* gotten() {
      yield 1;
    }
    const trap = new Error('getter');
    Object.defineProperty(gotten, 'numberOfResults', {
      get() {
        throw trap;
      },
    });
    assert.throws(
      () => Q.submit(gotten),
      (e) => e instanceof Error && e.message.includes('task `gotten`') && e.cause === trap,
    );
    assert.equal(sch.stats().total.waiting, 0);
  });

  test('values that are not numbers, hostile objects included, are refused without being converted', () => {
    const { Q } = setup();
    let touched = 0;
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
      },
    );
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    const convertible = {
      valueOf() {
        touched++;
        return 3;
      },
    };
    for (const bad of [hostile, revocable.proxy, convertible, '3', 3n, null, true]) {
      function* weird() {
        yield 1;
      }
      weird.numberOfResults = () => bad;
      assert.throws(
        () => Q.submit(weird),
        (e) => e instanceof RangeError && e.message.includes('`numberOfResults` of task `weird`'),
      );
    }
    assert.equal(touched, 0);
  });
});
