/** The options of cluster() and the flags of `smqsched worker`, checked at the call. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseWorkerArgs } from '../../src/cli/worker.js';
import { redactUrl } from '../../src/cluster/connection.js';
import { cluster } from '../../src/cluster/index.js';

describe('cluster() options', () => {
  test('a connection that is not a Redis URL is a TypeError that shows the form', () => {
    for (const connection of [undefined, 6379, 'localhost:6379', 'http://localhost:6379']) {
      assert.throws(
        () => cluster({ connection } as never),
        (e) => e instanceof TypeError && /redis:\/\/localhost:6379/.test(e.message),
      );
    }
  });

  test('a password in a bad URL is not shown in the error', () => {
    assert.throws(
      () => cluster({ connection: 'http://:s3cret@host:6379' }),
      (e) => e instanceof TypeError && !e.message.includes('s3cret') && /\*\*\*/.test(e.message),
    );
    assert.equal(redactUrl('rediss://user:pw@host:6380/1'), 'rediss://user:***@host:6380/1');
  });

  test('queueName, abortGrace and checkInterval are checked', () => {
    const connection = 'redis://localhost:6379';
    assert.throws(() => cluster({ connection, queueName: 'a:b' }), TypeError);
    assert.throws(() => cluster({ connection, abortGrace: -1 }), RangeError);
    assert.throws(() => cluster({ connection, checkInterval: 0 }), RangeError);
    assert.equal(cluster({ connection: 'rediss://:pw@host:6380/2' }).kind, 'cluster');
  });
});

describe('smqsched worker flags', () => {
  test('the flags become the worker options', () => {
    const options = parseWorkerArgs([
      ...['--connection', 'redis://:pw@host:6379', '--queue', 'q', '--tasks', 'a.js'],
      ...['--tasks', 'b.js', '--concurrency', '8', '--lock-duration', '1000'],
    ]);
    assert.deepEqual(options, {
      connection: 'redis://:pw@host:6379',
      queueName: 'q',
      tasks: ['a.js', 'b.js'],
      concurrency: 8,
      lockDuration: 1000,
    });
  });

  test('the connection may come from SMQSCHED_CONNECTION', () => {
    const env = { SMQSCHED_CONNECTION: 'rediss://:pw@host:6380' };
    assert.equal(parseWorkerArgs(['--tasks', 'a.js'], env).connection, env.SMQSCHED_CONNECTION);
  });

  test('missing or malformed flags say what is wrong', () => {
    const url = ['--connection', 'redis://host:6379'];
    assert.throws(() => parseWorkerArgs(url, {}), /at least one --tasks/);
    assert.throws(() => parseWorkerArgs(['--tasks', 'a.js'], {}), /--connection/);
    assert.throws(
      () => parseWorkerArgs([...url, '--tasks', 'a.js', '--concurrency', '0']),
      RangeError,
    );
    assert.throws(() => parseWorkerArgs([...url, '--tasks', 'a.js', '--bogus']), /bogus/);
  });
});
