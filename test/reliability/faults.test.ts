/**
 * Fault injection: tasks that misbehave in the ways real code does. Each test ends with every
 * unaffected task done and the affected ones failed with a clear error (class and message).
 *
 * Covered elsewhere and not repeated here: a string, an object or a number thrown or rejected
 * (test/scheduler/failure.test.ts); a generator that throws mid-stream, keeping its yielded
 * items and failing the rest, with a non-Error too (test/scheduler/generator-failures.test.ts,
 * and on every executor in test/executors/conformance-values.ts); a worker that exits, or kills
 * itself with SIGKILL, failing only its task (test/executors/conformance-faults.ts, on threads
 * and processes). The fuzzer (fuzz/) throws, rejects and ends generators mid-stream at random.
 * Here: values with no string form (inline and in workers), a second-long block of the event
 * loop, workers that die while other tasks run, and a generator on worker threads throwing
 * mid-stream, each with the effect on dependents and on the tasks beside them.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import {
  DependencyError,
  NonErrorThrown,
  processes,
  Queue,
  Scheduler,
  task,
  threads,
  WorkerCrashedError,
} from '../../src/index.js';
import * as T from '../executors/fixture-refs.js';
import { failureOf } from '../helpers/failure.js';
import type * as F from './fixtures/fault-tasks.js';

/** Records unhandled rejections and warnings during each test; both must stay empty. */
function guardProcess(): { unhandled: unknown[] } {
  const seen = { unhandled: [] as unknown[] };
  const onRejection = (reason: unknown): void => {
    seen.unhandled.push(reason);
  };
  beforeEach(() => {
    seen.unhandled.length = 0;
    process.on('unhandledRejection', onRejection);
  });
  afterEach(() => {
    process.off('unhandledRejection', onRejection);
    assert.deepEqual(seen.unhandled, [], 'no unhandled rejection');
  });
  return seen;
}

describe('values that are not Errors, thrown or rejected', () => {
  guardProcess();

  test('undefined, null, a symbol, a prototype-less object and a throwing toString are wrapped', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2 });
    const noPrototype = Object.create(null) as object;
    const hostile = {
      toString(): string {
        throw new Error('toString must not be called blindly');
      },
    };
    const cases: [string, unknown, RegExp][] = [
      ['undefined', undefined, /`undefined` \(undefined\)/],
      ['null', null, /`null` \(null\)/],
      ['symbol', Symbol('odd'), /`Symbol\(odd\)` \(symbol\)/],
      ['no-prototype', noPrototype, /`\[object Object\]` \(object\)/],
      ['hostile', hostile, /`\[object Object\]` \(object\)/],
    ];
    const thrown = cases.map(([name, value]) =>
      Q.options({ name: `sync-${name}` }).submit((): number => {
        throw value;
      }),
    );
    const rejected = cases.map(([name, value]) =>
      Q.options({ name: `async-${name}` }).submit(async (): Promise<number> => {
        await null;
        throw value;
      }),
    );
    const fine = Q.submit(() => 'fine');
    const dependent = Q.submit((x: number) => x + 1, thrown[4] as (typeof thrown)[number]);
    sch.start();
    const failure = await failureOf(sch);
    assert.equal(failure.errors.length, 2 * cases.length);
    for (const [k, [name, value, shown]] of cases.entries()) {
      for (const future of [thrown[k], rejected[k]]) {
        assert.ok(future !== undefined);
        assert.equal(future.status, 'failed');
        assert.throws(
          () => future.result(),
          (e) => {
            assert.ok(e instanceof NonErrorThrown, `${name}: ${String(e)}`);
            assert.equal(e.value, value);
            assert.equal(e.task.id, future.id);
            assert.match(e.message, shown);
            assert.match(e.message, new RegExp(`task ${future.id} \\((sync|async)-${name}\\)`));
            assert.match(e.message, /Throw Error objects instead/);
            return true;
          },
        );
      }
    }
    assert.equal(fine.result(), 'fine');
    assert.equal(dependent.status, 'cancelled');
  });

  test('a listener that throws a value without toString is reported, not fatal', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 1 });
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.message);
    };
    process.on('warning', onWarning);
    try {
      sch.on('task:end', () => {
        throw Object.create(null);
      });
      const a = Q.submit(() => 1);
      const b = Q.submit((x: number) => x + 1, a);
      sch.start();
      await sch.wait();
      assert.equal(b.result(), 2);
      await new Promise<void>((resolve) => setImmediate(resolve));
      assert.ok(
        warnings.some((w) => /'task:end' listener threw: `\[object Object\]`/.test(w)),
        warnings.join('\n'),
      );
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe('a task that blocks the event loop for a second', () => {
  guardProcess();

  test('the others complete, timers and timeouts come late but right, nothing is lost', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 4, name: 'main' });
    const io = new Queue(sch, { concurrency: 8, name: 'io' });
    const began = performance.now();
    const blocker = Q.options({ name: 'blocker', timeout: 100 }).submit(() => {
      const until = performance.now() + 1000;
      while (performance.now() < until); // holds the event loop for a second
      return 'blocked';
    });
    // Async tasks whose timers fall due while the loop is blocked.
    const sleepers = Array.from({ length: 20 }, (_, i) =>
      io
        .options({ name: `sleeper-${i}`, timeout: 5000 })
        .submit(
          (ms: number) => new Promise<number>((resolve) => setTimeout(() => resolve(ms), ms)),
          10 + i,
        ),
    );
    // A timeout shorter than the block: the task ends (its own timer is due first) before
    // the timeout's timer can run, so it is done, not timed out.
    const shortTimeout = io
      .options({ name: 'short-timeout', timeout: 200 })
      .submit(() => new Promise<string>((resolve) => setTimeout(() => resolve('in time'), 50)));
    const after = Q.submit((b: string, s: number[]) => `${b}:${s.length}`, blocker, sleepers);
    const many = Array.from({ length: 1000 }, (_, i) => Q.submit((x: number) => x + 1, i));
    sch.start();
    await sch.wait();
    assert.ok(performance.now() - began >= 1000, 'the loop was blocked');
    assert.equal(blocker.result(), 'blocked', 'a sync task cannot be timed out while it blocks');
    assert.deepEqual(
      sleepers.map((s) => s.result()),
      sleepers.map((_, i) => 10 + i),
    );
    assert.equal(shortTimeout.result(), 'in time');
    assert.equal(after.result(), 'blocked:20');
    assert.deepEqual(
      many.map((f) => f.result()),
      many.map((_, i) => i + 1),
    );
    const total = sch.stats().total;
    assert.deepEqual(total, {
      waiting: 0,
      ready: 0,
      running: 0,
      done: 1023,
      failed: 0,
      cancelled: 0,
    });
  });
});

const FAULTS = new URL('./fixtures/fault-tasks.ts', import.meta.url);
const reportPidAndHang = task<typeof F.reportPidAndHang>(FAULTS, 'reportPidAndHang');
const exitLater = task<typeof F.exitLater>(FAULTS, 'exitLater');
const doubleLater = task<typeof F.doubleLater>(FAULTS, 'doubleLater');
const throwHostile = task<typeof F.throwHostile>(FAULTS, 'throwHostile');

describe('workers that die mid-run', () => {
  guardProcess();

  test('threads: a task calls process.exit while others run; only it and its dependents fail', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 3, executor: threads(), name: 'threads' });
    const main = new Queue(sch, { concurrency: 1, name: 'main' });
    try {
      const exits = Q.options({ name: 'exits' }).submit(exitLater, 7, 50);
      const onExit = main.options({ name: 'on-exit' }).submit((x: never) => x, exits);
      const further = main.submit((x: unknown) => x, onExit);
      const fine = Array.from({ length: 6 }, (_, i) => Q.submit(doubleLater, i, 20 + 10 * i));
      const sum = main.submit((xs: number[]) => xs.reduce((a, b) => a + b, 0), fine);
      sch.start();
      const failure = await failureOf(sch);
      assert.equal(failure.errors.length, 1, 'only the task that exited failed');
      const error = failure.errors[0];
      assert.ok(error instanceof WorkerCrashedError, String(error));
      assert.equal(error.exitCode, 7);
      assert.equal(error.task.id, exits.id);
      assert.match(error.message, new RegExp(`task ${exits.id} \\(exits\\)`));
      assert.match(error.message, /exit code 7/);
      assert.match(error.message, /Give the task retries/);
      for (const dependent of [onExit, further]) {
        assert.equal(dependent.status, 'cancelled');
        assert.throws(
          () => dependent.result(),
          (e) => e instanceof DependencyError && e.cause === error && e.failedTask.id === exits.id,
        );
      }
      assert.deepEqual(
        fine.map((f) => f.result()),
        [0, 2, 4, 6, 8, 10],
      );
      assert.equal(sum.result(), 30);
      assert.equal(await Q.submit(doubleLater, 21, 0), 42, 'the pool goes on');
      await sch.wait();
    } finally {
      await sch.close();
    }
  });

  test('processes: a child killed with SIGKILL from outside fails its task; the rest run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smqsched-kill-'));
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 3, executor: processes(), name: 'procs' });
    const main = new Queue(sch, { concurrency: 1, name: 'main' });
    try {
      const pidFile = join(dir, 'pid');
      const victim = Q.options({ name: 'victim' }).submit(reportPidAndHang, pidFile);
      const onVictim = main.submit((x: never) => x, victim);
      const fine = Array.from({ length: 6 }, (_, i) => Q.submit(doubleLater, i, 30));
      sch.start();
      let pid: number | undefined;
      for (let i = 0; i < 500 && pid === undefined; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (existsSync(pidFile)) pid = Number(readFileSync(pidFile, 'utf8'));
      }
      assert.ok(pid !== undefined && pid !== process.pid, 'the victim reported its pid');
      process.kill(pid, 'SIGKILL');
      const failure = await failureOf(sch);
      assert.equal(failure.errors.length, 1);
      const error = failure.errors[0];
      assert.ok(error instanceof WorkerCrashedError, String(error));
      assert.equal(error.signal, 'SIGKILL');
      assert.equal(error.task.id, victim.id);
      assert.match(error.message, new RegExp(`task ${victim.id} \\(victim\\).*signal SIGKILL`));
      assert.equal(onVictim.status, 'cancelled');
      assert.throws(
        () => onVictim.result(),
        (e) => e instanceof DependencyError && e.cause === error,
      );
      assert.deepEqual(
        fine.map((f) => f.result()),
        [0, 2, 4, 6, 8, 10],
      );
      assert.equal(await Q.submit(doubleLater, 5, 0), 10, 'the pool replaced the child');
      await sch.wait();
    } finally {
      await sch.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a worker task that throws a value with no string form and no clone', () => {
  guardProcess();

  for (const [kind, make] of [
    ['threads', threads],
    ['processes', processes],
  ] as const) {
    test(`${kind}: it fails with NonErrorThrown, and its worker lives on`, async () => {
      const sch = new Scheduler();
      const Q = new Queue(sch, { concurrency: 1, executor: make(), name: kind });
      try {
        const hostile = Q.options({ name: 'hostile' }).submit(throwHostile);
        const next = Q.submit(doubleLater, 4, 0);
        sch.start();
        const failure = await failureOf(sch);
        assert.equal(failure.errors.length, 1);
        const error = failure.errors[0];
        // It used to crash the worker (its toString threw while the error was sent back), so
        // the task failed with a misleading WorkerCrashedError.
        assert.ok(error instanceof NonErrorThrown, String(error));
        assert.equal(error.task.id, hostile.id);
        assert.match(
          error.message,
          /task \d+ \(hostile\) threw a non-Error value: `\[object Object\]`/,
        );
        assert.equal(next.result(), 8);
      } finally {
        await sch.close();
      }
    });
  }
});

describe('a generator on worker threads that throws mid-stream', () => {
  guardProcess();

  test('dependents of its yielded items run; those of the rest are cancelled; others go on', async () => {
    const sch = new Scheduler();
    const workers = new Queue(sch, { concurrency: 2, executor: threads(), name: 'workers' });
    const main = new Queue(sch, { concurrency: 2, name: 'main' });
    try {
      const stream = workers.options({ name: 'three-then-throws' }).submit(T.failAfter, 3);
      const onItems = [0, 1, 2, 3, 4].map((i) =>
        main.options({ name: `on-${i}` }).submit((x: number) => x * 10, stream.at(i)),
      );
      const onAll = main.submit((xs: number[]) => xs.length, stream);
      const fine = [1, 2, 3].map((x) => workers.submit(doubleLater, x, 10));
      sch.start();
      const failure = await failureOf(sch);
      assert.equal(failure.errors.length, 1, 'only the generator failed');
      const error = failure.errors[0];
      assert.ok(error instanceof TypeError, String(error));
      assert.equal((error as Error).message, 'failed after 3');
      assert.deepEqual(
        onItems.slice(0, 3).map((f) => f.result()),
        [0, 10, 20],
      );
      for (const f of [...onItems.slice(3), onAll]) {
        assert.equal(f.status, 'cancelled');
        assert.throws(
          () => f.result(),
          (e) => e instanceof DependencyError && e.cause === error && e.failedTask.id === stream.id,
        );
      }
      assert.deepEqual(
        fine.map((f) => f.result()),
        [2, 4, 6],
      );
    } finally {
      await sch.close();
    }
  });
});
