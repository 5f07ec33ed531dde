/**
 * Conformance: what goes in and comes out of a task (values, errors, generator items,
 * `currentTask()`), the same on every executor.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  type Future,
  IndexError,
  NonErrorThrown,
  Queue,
  StreamCountError,
} from '../../src/index.js';
import { failureOf } from '../helpers/failure.js';
import type { ExecutorFactory } from './conformance.js';
import * as T from './fixture-refs.js';
import { withQueue } from './scheduler-for.js';

export function valueTests(make: ExecutorFactory): void {
  describe('values', () => {
    test('runs a task reference with futures among its arguments', () =>
      withQueue(make, 2, async (Q, sch) => {
        const a = Q.submit(T.add, 1, 2);
        const b = Q.submit(T.addLater, a, 10);
        const c = Q.submit(T.describeShape, { list: [a, b, 3], nested: { n: b } });
        sch.start();
        assert.equal(await b, 13);
        assert.equal(await c, '3+13+3=13');
      }));

    test('values keep their structure: Maps, Sets, Dates, typed arrays, bigints', () =>
      withQueue(make, 1, async (Q, sch) => {
        const value = {
          map: new Map([['k', [1, 2]]]),
          set: new Set(['a']),
          date: new Date(0),
          bytes: new Uint8Array([1, 2, 3]),
          big: 2n ** 70n,
          nothing: undefined,
          nested: [{ deep: null }],
        };
        const f = Q.submit(T.echo, value);
        sch.start();
        assert.deepEqual(await f, value);
      }));

    test('a buffer in the result comes back whole', () =>
      withQueue(make, 1, async (Q, sch) => {
        const f = Q.submit(T.makeArray, 100_000);
        sch.start();
        const array = await f;
        assert.ok(array instanceof Float64Array);
        assert.equal(array.length, 100_000);
        assert.equal(array[99_999], 1.5);
      }));

    test('currentTask() tells the id, name and attempt of the task', () =>
      withQueue(make, 1, async (Q, sch) => {
        const f = Q.options({ name: 'who' }).submit(T.whoami);
        sch.start();
        assert.deepEqual(await f, { id: f.id, name: 'who', attempt: 0, aborted: false });
      }));
  });

  describe('errors', () => {
    test('a thrown error arrives with its class, message, stack and fields', () =>
      withQueue(make, 1, async (Q, sch) => {
        const f = Q.submit(T.fail, 'out of range');
        sch.start();
        const failure = await failureOf(sch);
        const error = failure.errors[0] as RangeError & { code?: string };
        assert.equal(f.status, 'failed');
        assert.ok(error instanceof RangeError);
        assert.equal(error.message, 'out of range');
        assert.equal(error.code, 'E_FIXTURE');
        assert.match(String(error.stack), /conformance-tasks/);
      }));

    test('a thrown non-Error is wrapped in NonErrorThrown', () =>
      withQueue(make, 1, async (Q, sch) => {
        Q.submit(T.throwString);
        sch.start();
        const failure = await failureOf(sch);
        assert.ok(failure.errors[0] instanceof NonErrorThrown);
        assert.equal((failure.errors[0] as NonErrorThrown).value, 'plain string');
      }));

    test('a missing export fails the task with a TypeError naming it', () =>
      withQueue(make, 1, async (Q, sch) => {
        Q.submit(T.missing);
        Q.submit(T.notAFunction);
        sch.start();
        const failure = await failureOf(sch);
        assert.equal(failure.errors.length, 2);
        for (const error of failure.errors) assert.ok(error instanceof TypeError);
        const messages = failure.errors.map((e) => (e as Error).message).join('\n');
        assert.match(messages, /noSuchExport/);
        assert.match(messages, /notAFunction/);
      }));
  });

  describe('generators', () => {
    test('an export that is not what task() declared fails with a TypeError saying so', () =>
      withQueue(make, 1, async (Q, sch) => {
        const undeclared = Q.submit(T.squaresUndeclared, 3);
        const notGenerator = Q.submit(T.addAsGenerator, 1, 2);
        sch.start();
        await assert.rejects(async () => undeclared, /generator: true/);
        await assert.rejects(async () => notGenerator, /declared .*add.* a generator/);
        await assert.rejects(sch.wait());
      }));

    test('a generator task streams its items; item futures work as arguments', () =>
      withQueue(make, 2, async (Q, sch) => {
        const s = Q.submit(T.squares, 5);
        const after = Q.submit(T.add, s.at(3), 1);
        const counted = Q.submit(T.countUp, 3);
        sch.start();
        assert.deepEqual(await s, [0, 1, 4, 9, 16]);
        assert.equal(await after, 10);
        assert.deepEqual(await counted, [0, 1, 2]);
        assert.equal(s.length, 5);
      }));

    test('a dependent of item 0 runs while the generator is still going', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'smqsched-gate-'));
      const gate = join(dir, 'open');
      try {
        await withQueue(make, 2, async (Q, sch) => {
          const s = Q.submit(T.gated, gate);
          const main = new Queue(sch, { concurrency: 1, name: 'main' });
          const opened = main.submit((first: string) => {
            writeFileSync(gate, first);
            return first;
          }, s.at(0));
          sch.start();
          assert.equal(await opened, 'first');
          assert.deepEqual(await s, ['first', 'second']);
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('a generator that throws keeps its yielded items and fails the rest', () =>
      withQueue(make, 1, async (Q, sch) => {
        const s = Q.submit(T.failAfter, 2);
        const items: Future<number>[] = [s.at(0), s.at(1), s.at(2)];
        sch.start();
        const failure = await failureOf(sch);
        assert.ok(failure.errors[0] instanceof TypeError);
        assert.equal(await items[1], 1);
        await assert.rejects(async () => items[2], TypeError);
      }));

    test('counts: declared, open-ended, and a declared count that does not match', () =>
      withQueue(make, 1, async (Q, sch) => {
        const open = Q.submit(T.squaresOpen, 2);
        const past = open.at(5);
        const declared = Q.submit(T.squares, 3);
        const fewer = Q.submit(T.squaresOverDeclared, 2);
        const more = Q.submit(T.squaresUnderDeclared, 1000);
        assert.equal(declared.length, 3);
        assert.equal(fewer.length, 3);
        assert.equal(more.length, 998);
        sch.start();
        await assert.rejects(async () => past, IndexError);
        assert.deepEqual(await open, [0, 1]);
        assert.deepEqual(await declared, [0, 1, 4]);
        const failure = await failureOf(sch);
        assert.equal(failure.errors.length, 2);
        for (const error of failure.errors) assert.ok(error instanceof StreamCountError);
        assert.equal(fewer.status, 'failed');
        assert.equal(more.status, 'failed');
        assert.equal(await more.at(997), 997 * 997, 'declared items stay done');
      }));
  });
}
