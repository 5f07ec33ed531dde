/**
 * Fault injection: tasks that misbehave in the ways real code does. Each test ends with every
 * unaffected task done and the affected ones failed with a clear error (class and message).
 *
 * Already covered elsewhere, not repeated here: a string, an object or a number thrown or
 * rejected (test/scheduler/failure.test.ts), a generator throwing a non-Error
 * (test/scheduler/generator-failures.test.ts), a worker that exits or is killed by SIGKILL in
 * the conformance suite (test/executors/conformance-faults.ts, which runs the threads and
 * processes executors). The tests here add what those leave out.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { NonErrorThrown, Queue, Scheduler } from '../../src/index.js';
import { failureOf } from '../helpers/failure.js';

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
