/**
 * threads() options that reach Node's Worker: `execArgv` flags that worker threads refuse are
 * refused at the call, and `resourceLimits` caps each thread's memory (docs/executors.md).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Queue, Scheduler, task, threads, WorkerCrashedError } from '../../src/index.js';
import * as T from './fixture-refs.js';

/** A module whose `hog(mb)` keeps about `mb` MB of arrays, then returns how many it kept. */
const HOG = `data:text/javascript,${encodeURIComponent(
  'export function hog(mb) { const keep = []; for (let i = 0; i < mb; i++) keep.push(new Array(131072).fill(i)); return keep.length; }',
)}`;
const hog = task<(mb: number) => number>(HOG, 'hog');

describe('threads(): execArgv and resourceLimits (item 22)', () => {
  test('execArgv flags worker threads reject are refused at the call, naming them', () => {
    for (const flag of ['--max-old-space-size=64', '--expose-gc', '--title=x', '--no-such-flag']) {
      assert.throws(
        () => threads({ execArgv: [flag] }),
        (e) => {
          assert.ok(e instanceof TypeError);
          assert.ok(e.message.startsWith('threads(): `execArgv` holds Node options'), e.message);
          assert.ok(e.message.includes(flag), e.message);
          assert.match(e.message, /resourceLimits/);
          return true;
        },
      );
    }
  });

  test('execArgv flags that threads take are accepted, and tasks run', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, {
      concurrency: 1,
      name: 'q',
      // The test runner's own flags, less --expose-gc (npm test's), which threads refuse too.
      executor: threads({
        execArgv: [...process.execArgv.filter((a) => a !== '--expose-gc'), '--enable-source-maps'],
      }),
    });
    try {
      sch.start();
      assert.equal(await Q.submit(T.add, 1, 2), 3);
    } finally {
      await sch.close();
    }
  });

  test('a thread past its resourceLimits fails its task with WorkerCrashedError; the pool goes on', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, {
      concurrency: 1,
      name: 'capped',
      executor: threads({ resourceLimits: { maxOldGenerationSizeMb: 64 } }),
    });
    try {
      sch.start();
      assert.equal(await Q.submit(hog, 4), 4, 'a task within the limit runs');
      const over = Q.submit(hog, 512);
      await assert.rejects(over, (e) => {
        assert.ok(e instanceof WorkerCrashedError, String(e));
        assert.match(e.message, /task \d+ \(hog\)/);
        return true;
      });
      assert.equal(await Q.submit(T.add, 2, 3), 5, 'the next task runs on a new thread');
      await assert.rejects(sch.wait(), /1 task\(s\) failed/);
    } finally {
      await sch.close();
    }
  });

  test('resourceLimits: unknown keys and values that are not finite MB above 0 are refused', () => {
    const bad: [unknown, typeof TypeError | typeof RangeError, string][] = [
      [5, TypeError, '`resourceLimits` must be an object'],
      [
        { maxOldGenerationSizeMB: 64 },
        TypeError,
        'did you mean `resourceLimits.maxOldGenerationSizeMb`',
      ],
      [{ maxOldGenerationSizeMb: 0 }, RangeError, 'finite number above 0'],
      [{ stackSizeMb: -1 }, RangeError, '`resourceLimits.stackSizeMb`'],
      [{ codeRangeSizeMb: Number.NaN }, RangeError, 'finite number above 0'],
      [{ maxYoungGenerationSizeMb: Number.POSITIVE_INFINITY }, RangeError, 'finite number above 0'],
      [{ maxOldGenerationSizeMb: '64' }, TypeError, 'got `64` (string)'],
    ];
    for (const [resourceLimits, kind, says] of bad) {
      assert.throws(
        () => threads({ resourceLimits } as never),
        (e) => e instanceof kind && e.message.startsWith('threads(): ') && e.message.includes(says),
        JSON.stringify(resourceLimits),
      );
    }
  });
});
