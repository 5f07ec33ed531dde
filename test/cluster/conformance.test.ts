/**
 * The executor conformance suite against cluster(): a private redis-server and two real
 * `smqsched worker` processes of two slots each serve every test's fresh executor.
 */
import { after, test } from 'node:test';
import { cluster } from '../../src/cluster/index.js';
import { conformance } from '../executors/conformance.js';
import { skipReason, startRedis } from './redis-server.js';
import { startWorkers, stopWorkers } from './workers.js';

const QUEUE = 'conformance';
const skip = skipReason();

if (skip) {
  test('cluster executor conformance', { skip }, () => {});
} else {
  const redis = await startRedis();
  const workers = await startWorkers(2, [
    '--connection',
    redis.url,
    '--queue',
    QUEUE,
    '--tasks',
    'test/fixtures/conformance-tasks.ts',
    '--concurrency',
    '2',
  ]);
  after(async () => {
    await stopWorkers(workers);
    await redis.stop();
  });
  conformance(
    'cluster',
    (options) =>
      cluster({
        connection: redis.url,
        queueName: QUEUE,
        ...(options?.abortGrace === undefined ? {} : { abortGrace: options.abortGrace }),
      }),
    // A worker on another machine cannot be ended from here, and a lost one does not fail its
    // task: BullMQ runs it again (faults.test.ts); so the isolation tests do not apply.
    { isolated: false, signals: false, movesResults: false, runsClosures: false },
  );
}
