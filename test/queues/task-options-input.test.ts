import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Queue, Scheduler, type TaskOptions } from '../../src/index.js';

/**
 * Bad task options throw at the call (`Q.options(...)` or its `submit`), before anything is
 * queued. The per-option cases (resources, after, release, retries, timeout, signal) are beside
 * each option's behaviour; this file covers the options object itself and name and hold.
 */

function setup() {
  const sch = new Scheduler();
  const Q = new Queue(sch, { concurrency: 1, name: 'q', resources: { gpu: 1 } });
  let calls = 0;
  const fn = () => ++calls;
  const before = sch.stats();
  const submitWith = (options: unknown) => () =>
    Q.options(options as TaskOptions).submit(fn as () => number);
  return { sch, Q, submitWith, before, calls: () => calls };
}

async function nothingQueued(env: ReturnType<typeof setup>): Promise<void> {
  assert.deepEqual(env.sch.stats(), env.before, 'stats unchanged');
  env.sch.start();
  await env.sch.wait();
  assert.equal(env.calls(), 0, 'no refused task ever runs');
}

describe('task options: bad input', () => {
  test('an unknown option key throws TypeError naming it and listing the options', async () => {
    const env = setup();
    for (const key of ['priority', 'retry', 'timeoutMs', 'Hold']) {
      assert.throws(env.submitWith({ [key]: 1 }), (e) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, new RegExp(`\`${key}\``));
        assert.match(e.message, /resources/);
        return true;
      });
    }
    await nothingQueued(env);
  });

  test('options that are not an object throw TypeError', async () => {
    const env = setup();
    for (const options of [null, 5, 'hold', true]) {
      assert.throws(env.submitWith(options), TypeError, String(options));
    }
    await nothingQueued(env);
  });

  test('a non-string name or a non-boolean hold throws TypeError naming the option', async () => {
    const env = setup();
    for (const [options, option] of [
      [{ name: 5 }, 'name'],
      [{ name: null }, 'name'],
      [{ hold: 'yes' }, 'hold'],
      [{ hold: 1 }, 'hold'],
    ] as const) {
      assert.throws(env.submitWith(options), (e) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, new RegExp(option));
        return true;
      });
    }
    await nothingQueued(env);
  });

  test('one bad option among good ones refuses the whole task', async () => {
    const env = setup();
    const good = { name: 'fine', retries: 1, timeout: 100, resources: { gpu: 1 } };
    const bad: unknown[] = [
      { ...good, retries: -1 },
      { ...good, timeout: 0 },
      { ...good, resources: { tpu: 1 } },
      { ...good, after: [42] },
      { ...good, release: 42 },
      { ...good, signal: {} },
      { ...good, hold: 'no' },
      { ...good, extra: true },
    ];
    for (const options of bad) assert.throws(env.submitWith(options), JSON.stringify(options));
    await nothingQueued(env);
  });

  test('options undefined or absent keep their defaults; options() can submit many tasks', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const named = Q.options({ name: 'same' });
    const a = named.submit(() => 1);
    const b = named.submit(() => 2);
    const c = Q.options({}).submit(function plainName() {
      return 3;
    });
    const undefinedOptions = {
      retries: undefined,
      timeout: undefined,
      hold: undefined,
      signal: undefined,
    } as unknown as TaskOptions;
    const d = Q.options(undefinedOptions).submit(() => 4);
    sch.start();
    await sch.wait();
    assert.deepEqual([a.name, b.name, c.name], ['same', 'same', 'plainName']);
    assert.notEqual(a.id, b.id);
    assert.deepEqual(
      [a, b, c, d].map((f) => f.result()),
      [1, 2, 3, 4],
    );
  });
});
