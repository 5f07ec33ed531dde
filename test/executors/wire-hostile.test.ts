/**
 * The worker-side wire of threads() and processes() against what a task can throw, return,
 * yield or send (issue 13, items 3 and 6, and their kind): every task ends once, done or failed
 * with an Error, the pool goes on serving, `stats().running` returns to 0, and the scheduler's
 * process sees no unhandled rejection or uncaught exception.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fromWire, toWire } from '../../src/executors/wire.js';
import {
  type Executor,
  type Future,
  processes,
  Queue,
  Scheduler,
  threads,
} from '../../src/index.js';
import type { Shape } from '../fixtures/hostile-tasks.js';
import * as H from './hostile-refs.js';

/** Unhandled rejections and uncaught exceptions seen while the tests ran. */
const escaped: unknown[] = [];
const record = (error: unknown): void => {
  escaped.push(error);
};
before(() => {
  process.on('unhandledRejection', record);
  process.on('uncaughtExceptionMonitor', record);
});
after(() => {
  process.off('unhandledRejection', record);
  process.off('uncaughtExceptionMonitor', record);
  assert.deepEqual(escaped, [], 'nothing escaped into the scheduler process');
});

/** Settles `future` into `{ value }` or `{ error }`, failing the test if it never does. */
async function settled(future: Future<unknown>): Promise<{ value?: unknown; error?: unknown }> {
  try {
    return { value: await future };
  } catch (error) {
    return { error };
  }
}

/**
 * Runs `body` on a fresh queue over `make()`; then checks every task ended once, nothing runs,
 * and the pool still runs a plain task.
 */
async function onPool(
  make: () => Executor,
  concurrency: number,
  body: (Q: Queue) => Promise<void>,
): Promise<void> {
  const sch = new Scheduler();
  const Q = new Queue(sch, { concurrency, executor: make(), name: 'hostile' });
  const ends = new Map<number, number>();
  sch.on('task:end', (event) => ends.set(event.id, (ends.get(event.id) ?? 0) + 1));
  sch.start();
  try {
    await body(Q);
    assert.equal(await Q.submit(H.add, 2, 3), 5, 'the pool goes on serving');
    assert.equal(sch.stats().total.running, 0, 'nothing is left running');
    for (const [id, count] of ends) assert.equal(count, 1, `task ${id} ended once`);
  } finally {
    await sch.close();
  }
}

const EXECUTORS: [string, () => Executor][] = [
  ['threads', () => threads()],
  ['processes', () => processes()],
];

const error = (fields: Partial<Extract<Shape, { t: 'error' }>>): Shape => ({
  t: 'error',
  cls: 'Error',
  ...fields,
});

/** Asserts the task failed with an Error (not some other value) and returns it. */
function failedWith(outcome: { value?: unknown; error?: unknown }): Error {
  assert.ok('error' in outcome, `failed, not done with ${String(outcome.value)}`);
  assert.ok(outcome.error instanceof Error, `an Error: ${String(outcome.error)}`);
  return outcome.error;
}

for (const [kind, make] of EXECUTORS) {
  describe(`${kind}: what a task throws`, () => {
    test('an error named like an Object.prototype key comes back as a plain Error with that name', () =>
      onPool(make, 1, async (Q) => {
        for (const name of ['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf']) {
          const failure = failedWith(await settled(Q.submit(H.throwNamed, name)));
          assert.equal(Object.getPrototypeOf(failure), Error.prototype, name);
          assert.equal(failure.name, name);
          assert.equal(failure.message, 'named');
        }
      }));

    test('errors whose getters throw, Proxies, cyclic causes, own __proto__ fields', () =>
      onPool(make, 1, async (Q) => {
        const shapes: Shape[] = [
          error({ getters: ['name', 'message', 'stack', 'cause'] }),
          error({ getters: ['message'], throws: { t: 'proxy', of: error({}), mode: 'revoked' } }),
          error({ getters: ['keys'] }),
          error({ cyclic: true }),
          error({
            fields: [
              ['__proto__', null],
              ['code', 'E_X'],
              ['sym', 1n],
            ],
          }),
          error({ name: { toString: 1 }, message: 7 }),
          error({ cls: 'DOMException' }),
          error({ cause: { t: 'proxy', of: error({}), mode: 'throwing' } }),
          { t: 'proxy', of: error({ message: 'behind a proxy' }), mode: 'open' },
          { t: 'proxy', of: error({}), mode: 'revoked' },
          { t: 'proxy', of: error({}), mode: 'throwing' },
          { t: 'function' },
          { t: 'symbol' },
          { t: 'weakmap' },
        ];
        for (const what of shapes) {
          for (const how of ['throw', 'reject'] as const) {
            const future = Q.submit(H.act, { do: how, what });
            const failure = failedWith(await settled(future));
            assert.equal(typeof failure.message, 'string', what.t);
          }
        }
      }));

    test('an own __proto__ field stays a field: the error keeps its class', () =>
      onPool(make, 1, async (Q) => {
        const what = error({
          cls: 'RangeError',
          fields: [
            ['__proto__', null],
            ['code', 'E_X'],
          ],
        });
        const failure = failedWith(await settled(Q.submit(H.act, { do: 'throw', what })));
        assert.ok(failure instanceof RangeError);
        assert.equal(Object.hasOwn(failure, '__proto__'), true);
        assert.equal((failure as unknown as { code: string }).code, 'E_X');
      }));

    test('own enumerable message, name, stack and cause that are not strings come back readable', () =>
      onPool(make, 1, async (Q) => {
        const what = error({
          message: 'the message',
          fields: [
            ['message', 0],
            ['name', 1],
            ['stack', 2],
            ['cause', 3],
          ],
        });
        const failure = failedWith(await settled(Q.submit(H.act, { do: 'throw', what })));
        assert.equal(failure.message, '0');
        assert.equal(failure.name, '1');
        assert.equal(typeof failure.stack, 'string');
        assert.equal(failure.cause, 3);
      }));
  });

  describe(`${kind}: what a task returns or yields`, () => {
    test('values that cannot be copied fail the task with a TypeError naming it', () =>
      onPool(make, 1, async (Q) => {
        const shapes: Shape[] = [
          { t: 'proxy', of: { t: 'data', v: { a: 1 } }, mode: 'open' },
          { t: 'proxy', of: { t: 'data', v: [1] }, mode: 'revoked' },
          { t: 'proxy', of: { t: 'data', v: {} }, mode: 'throwing' },
          { t: 'getter', key: 'x', throws: { t: 'proxy', of: error({}), mode: 'revoked' } },
          { t: 'object', entries: [['deep', { t: 'weakmap' }]] },
          { t: 'array', items: [{ t: 'data', v: 1 }, { t: 'promise' }] },
        ];
        for (const what of shapes) {
          for (const how of ['return', 'resolve'] as const) {
            const future = Q.submit(H.act, { do: how, what });
            const failure = failedWith(await settled(future));
            assert.ok(failure instanceof TypeError, `${failure}`);
            // A promise resolved with a Proxy whose `then` cannot be read rejects, in the
            // task's own code: that error is the task's.
            if (how === 'resolve' && what.t === 'proxy' && what.mode !== 'open') continue;
            assert.match(failure.message, new RegExp(`Task ${future.id} \\(act\\)`));
            assert.match(
              failure.message,
              /Return only data that structured cloning copies|Return plain data or a real promise/,
            );
          }
        }
      }));

    test('an error whose cause leads back to itself, returned, yielded or sent, fails the task', () =>
      // Structured cloning writes it but cannot read it back: in the scheduler's process,
      // Node.js's IPC channel threw that as an uncaught exception.
      onPool(make, 1, async (Q) => {
        const what = error({ cyclic: true });
        const returned = Q.submit(H.act, { do: 'return', what });
        assert.match(failedWith(await settled(returned)).message, /could not be copied/);
        const stream = Q.submit(H.yieldAll, [{ t: 'array', items: [what] }]);
        assert.match(failedWith(await settled(stream.at(0))).message, /item 0/);
        const sent = await settled(Q.submit(H.act, { do: 'send', what }));
        if (kind === 'processes') assert.match(failedWith(sent).message, /cannot be copied/);
      }));

    test('a result whose `then` getter throws fails the task', () =>
      onPool(make, 1, async (Q) => {
        const what: Shape = {
          t: 'then-throws',
          throws: { t: 'proxy', of: error({}), mode: 'revoked' },
        };
        const future = Q.submit(H.act, { do: 'return', what });
        const failure = failedWith(await settled(future));
        assert.ok(failure instanceof TypeError);
        assert.match(failure.message, new RegExp(`Task ${future.id} \\(act\\).*\`then\``));
      }));

    test('a generator item that cannot be copied fails the task, naming the item', () =>
      onPool(make, 1, async (Q) => {
        for (const bad of [
          { t: 'function' },
          { t: 'proxy', of: { t: 'data', v: {} }, mode: 'throwing' },
          { t: 'getter', key: 'x', throws: { t: 'symbol' } },
        ] satisfies Shape[]) {
          const stream = Q.submit(H.yieldAll, [
            { t: 'data', v: 'first' },
            bad,
            { t: 'data', v: 3 },
          ]);
          assert.equal(await stream.at(0), 'first');
          const failure = failedWith(await settled(stream.at(1)));
          assert.match(failure.message, new RegExp(`Task ${stream.id} \\(yieldAll\\): item 1`));
          assert.match(failure.message, /Yield only data that structured cloning copies/);
        }
      }));
  });

  describe(`${kind}: what a task sends outside the protocol`, () => {
    test('messages not of the protocol are ignored; the task ends as it returns', () =>
      onPool(make, 2, async (Q) => {
        const slow = Q.submit(H.later, 300, 'survived');
        const raws: unknown[] = [
          null,
          5,
          'end',
          [],
          { kind: 'end' },
          { kind: 'end', key: 'x', outcome: { ok: true, value: 1 } },
          { kind: 'end', key: 2, outcome: null },
          { kind: 'end', key: 2, outcome: { ok: false, error: null } },
          { kind: 'item', key: 2 },
          { kind: 'stop', key: 2 },
          { key: 1, reason: null },
          { key: 1, reason: { kind: 'error', name: '__proto__' } },
          'hello',
          { kind: 'end', key: 99_999, outcome: { ok: true, value: 'someone else' } },
          { big: 'x'.repeat(4_000_000) },
        ];
        for (const raw of raws) {
          assert.deepEqual(await settled(Q.submit(H.sendRaw, raw)), { value: 'sent' });
        }
        assert.equal(await slow, 'survived', 'the other worker went on');
      }));
  });
}

describe('processes: process.send', () => {
  test("Node.js's internal messages and handles are refused in the task", () =>
    onPool(processes, 1, async (Q) => {
      for (const raw of [{ cmd: 'NODE_HANDLE_ACK' }, { cmd: 'NODE_HANDLE', type: 'x' }]) {
        const failure = failedWith(await settled(Q.submit(H.sendRaw, raw)));
        assert.ok(failure instanceof TypeError);
        assert.match(failure.message, /internal messages/);
      }
    }));

  test('a forged end for its own task settles it once; a forged error named __proto__ too', () =>
    onPool(processes, 1, async (Q) => {
      // A fresh pool gives its first request key 1.
      const forged = {
        kind: 'end',
        key: 1,
        outcome: { ok: false, error: { kind: 'error', name: '__proto__', message: 'forged' } },
      };
      const failure = failedWith(await settled(Q.submit(H.sendEach, [forged, forged])));
      assert.equal(failure.name, '__proto__');
      assert.equal(failure.message, 'forged');
    }));
});

describe('toWire and fromWire never throw', () => {
  test('fromWire of malformed input gives an Error', () => {
    for (const wire of [null, 5, {}, { kind: 'error', name: 5, fields: 7, cause: 'x' }]) {
      const back = fromWire(wire);
      if (wire !== null && typeof wire === 'object' && 'kind' in wire) {
        assert.ok(back instanceof Error);
        assert.ok((back as Error).cause instanceof TypeError, 'a malformed cause says so');
      } else assert.ok(back instanceof TypeError);
    }
  });

  test('a cause chain of any length, even cyclic, comes back bounded', () => {
    const root: Record<string, unknown> = { kind: 'error', name: 'E', message: 'm', fields: {} };
    root.cause = root;
    let depth = 0;
    for (let e = fromWire(root) as Error | undefined; e !== undefined; e = e.cause as Error)
      depth++;
    assert.equal(depth, 10);
    const wire = toWire(
      Object.assign(new Error('self'), {
        get cause(): unknown {
          return this;
        },
      }),
    );
    assert.equal(wire.kind, 'error');
  });
});
