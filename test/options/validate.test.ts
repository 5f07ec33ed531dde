import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  finiteNonNegative,
  MAX_TIMER_MS,
  nonNegativeInteger,
  oneOf,
  optional,
  positiveInteger,
  readOptions,
  record,
  timerMs,
} from '../../src/options/validate.js';

const at = { call: 'new Queue()', key: 'concurrency' };

describe('readOptions', () => {
  test('snapshots the known keys once; later changes do not reach it', () => {
    let reads = 0;
    const options = {
      get size() {
        reads++;
        return reads;
      },
      other: undefined,
    };
    const snapshot = readOptions('f()', options, ['size', 'other']);
    assert.equal(snapshot.size, 1);
    assert.equal(reads, 1);
    assert.ok(!('other' in snapshot), 'undefined values are left out');
    assert.equal(Object.getPrototypeOf(snapshot), null);
  });

  test('an unknown key is refused with the known ones and a hint', () => {
    assert.throws(
      () => readOptions('new Queue()', { concurency: 2 }, ['concurrency', 'name']),
      (e) =>
        e instanceof TypeError &&
        e.message ===
          'new Queue(): unknown option `concurency` (did you mean `concurrency`?). The options are: concurrency, name.',
    );
    assert.throws(
      () => readOptions('new Scheduler()', { failfast: true }, ['failFast', 'record']),
      /did you mean `failFast`/,
    );
  });

  test('an own __proto__ key (as JSON.parse makes) is an unknown key', () => {
    const options = JSON.parse('{"__proto__": {"concurrency": 1}}') as unknown;
    assert.throws(() => readOptions('f()', options, ['concurrency']), /unknown option `__proto__`/);
  });

  test('values planted on Object.prototype are not options; other prototypes count', () => {
    const proto = Object.prototype as unknown as Record<string, unknown>;
    proto.timeout = 5;
    try {
      assert.equal(readOptions('f()', {}, ['timeout']).timeout, undefined);
    } finally {
      delete proto.timeout;
    }
    class Defaults {
      get timeout() {
        return 7;
      }
    }
    assert.equal(readOptions('f()', new Defaults(), ['timeout']).timeout, 7);
  });

  test('not an object, an array, throwing getters and revoked Proxies give a TypeError', () => {
    for (const bad of [null, 5, 'x', true, [], () => 1]) {
      assert.throws(() => readOptions('threads()', bad, ['abortGrace']), {
        name: 'TypeError',
        message: /^threads\(\): the options must be an object/,
      });
    }
    const throwing = {
      get abortGrace(): number {
        throw new Error('no');
      },
    };
    assert.throws(() => readOptions('threads()', throwing, ['abortGrace']), {
      name: 'TypeError',
      message: /threads\(\): could not read `abortGrace` \(no\)/,
    });
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    assert.throws(() => readOptions('threads()', proxy, ['abortGrace']), {
      name: 'TypeError',
      message: /threads\(\): could not read the options \(.*revoked/,
    });
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new RangeError('trap');
        },
      },
    );
    assert.throws(() => readOptions('threads()', trap, ['abortGrace']), TypeError);
  });
});

describe('value checks', () => {
  test('the message shape: call, option, what it must be, what it got', () => {
    assert.throws(() => positiveInteger(at, -1), {
      name: 'RangeError',
      message: 'new Queue(): `concurrency` must be a positive integer, got `-1` (number).',
    });
    assert.throws(() => positiveInteger(at, '2'), {
      name: 'TypeError',
      message: 'new Queue(): `concurrency` must be a positive integer, got `2` (string).',
    });
  });

  test('NaN, Infinity, -0 and fractions', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 0, -0, 1.5, 2 ** 53]) {
      assert.throws(() => positiveInteger(at, bad), RangeError, String(bad));
    }
    assert.throws(() => positiveInteger(at, -0), /got `-0` \(number\)/);
    assert.ok(Object.is(nonNegativeInteger(at, -0), 0));
    assert.ok(Object.is(finiteNonNegative(at, -0), 0));
    assert.ok(Object.is(timerMs(at, -0), 0));
    assert.throws(() => finiteNonNegative(at, Number.POSITIVE_INFINITY), RangeError);
    assert.throws(() => nonNegativeInteger(at, Number.NaN), RangeError);
  });

  test('timerMs refuses what setTimeout would fire after 1 ms', () => {
    assert.equal(timerMs(at, MAX_TIMER_MS), MAX_TIMER_MS);
    for (const bad of [MAX_TIMER_MS + 1, 3e9, Number.POSITIVE_INFINITY, Number.NaN, -1]) {
      assert.throws(() => timerMs(at, bad), { name: 'RangeError', message: /2\^31 - 1/ });
    }
    assert.throws(() => timerMs(at, 0, true), RangeError);
    assert.equal(timerMs(at, 0), 0);
  });

  test('oneOf, optional and record', () => {
    assert.equal(oneOf(at, 'a', ['a', 'b']), 'a');
    assert.throws(() => oneOf(at, 'c', ['a', 'b']), /must be one of 'a', 'b', got `c`/);
    assert.equal(optional('f()', { x: 2 }, 'x', positiveInteger), 2);
    assert.equal(optional('f()', {}, 'x' as string, positiveInteger), undefined);
    const copy = record(at, JSON.parse('{"__proto__": 1, "gpu": 2}'), finiteNonNegative);
    assert.deepEqual(Object.keys(copy), ['__proto__', 'gpu']);
    assert.equal(Object.getPrototypeOf(copy), null);
    assert.throws(() => record(at, { gpu: -1 }, finiteNonNegative), /`concurrency.gpu` must be/);
    assert.throws(() => record(at, [1], finiteNonNegative), TypeError);
  });
});
