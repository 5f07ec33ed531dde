/**
 * cluster() with three real `smqsched worker` processes on a private redis-server: the seed
 * example's values and order, a generator streaming its items, failures, a worker's shutdown
 * on SIGTERM, and a scheduler process that exits on its own after close().
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Queue as BullQueue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Matrix } from '../../examples/lib/linalg.js';
import * as linalg from '../../examples/lib/linalg.js';
import { cluster } from '../../src/cluster/index.js';
import {
  DependencyError,
  type Executor,
  type Future,
  inline,
  Queue,
  Scheduler,
} from '../../src/index.js';
import * as R from './cluster-refs.js';
import { skipReason, startRedis, type TestRedis } from './redis-server.js';
import { startWorker, startWorkers, stopWorkers, type TestWorker } from './workers.js';

const QUEUE = 'cluster-test';
const skip = skipReason();

interface SeedGraph {
  readonly A: Future<Matrix>[];
  readonly C: Future<Matrix>[];
}

/** The seed's operations, run here (inline) or by the workers (task references). */
interface LinearAlgebra {
  randomMatrix(n: number): Matrix | Promise<Matrix>;
  invert(m: Matrix): Matrix | Promise<Matrix>;
  multiply(a: Matrix, b: Matrix): Matrix | Promise<Matrix>;
}

/** The seed's graph at a small size: A[i] random, B[i] = A[i]^-1, C[i*n+k] = B[i] * B[k]. */
function seedGraph(Q: Queue, n: number, size: number, remote: boolean): SeedGraph {
  const ops: LinearAlgebra = remote ? R : linalg;
  const A: Future<Matrix>[] = [];
  const B: Future<Matrix>[] = [];
  const C: Future<Matrix>[] = [];
  for (let i = 0; i < n; i++) {
    A[i] = Q.options({ name: `A${i}` }).submit(ops.randomMatrix, size);
    B[i] = Q.options({ name: `B${i}` }).submit(ops.invert, A[i] as Future<Matrix>);
  }
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      C[i * n + k] = Q.options({ name: `C${i * n + k}` }).submit(
        ops.multiply,
        B[i] as Future<Matrix>,
        B[k] as Future<Matrix>,
      );
    }
  }
  return { A, C };
}

/** The names of the tasks in the order they started, for the seed graph on `executor`. */
async function startOrder(executor: Executor): Promise<string[]> {
  const sch = new Scheduler();
  const Q = new Queue(sch, { concurrency: 1, executor });
  const started: string[] = [];
  sch.on('task:start', (event) => started.push(event.name));
  seedGraph(Q, 3, 4, executor.kind === 'cluster');
  sch.start();
  await sch.wait();
  await sch.close();
  return started;
}

describe('cluster() with three smqsched worker processes', { skip }, () => {
  let redis: TestRedis;
  let workers: TestWorker[] = [];
  let dir = '';
  const executor = (): Executor => cluster({ connection: redis.url, queueName: QUEUE });

  before(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'smqsched-cluster-'));
    workers = await startWorkers(3, [
      ...['--connection', redis.url, '--queue', QUEUE, '--concurrency', '2'],
      ...['--tasks', R.LINALG_PATH, '--tasks', R.CLUSTER_TASKS_PATH],
    ]);
  });
  after(async () => {
    await stopWorkers(workers);
    await redis?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  test("the seed example's values: every product is the product of the inverses", async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 6, executor: executor() });
    const n = 5;
    const { A, C } = seedGraph(Q, n, 12, true);
    sch.start();
    await sch.wait();
    await sch.close();
    const inverses = A.map((a) => linalg.invert(a.result()));
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < n; k++) {
        const product = (C[i * n + k] as Future<Matrix>).result();
        assert.ok(product.data instanceof Float64Array, 'typed arrays survive the trip');
        const expected = linalg.multiply(inverses[i] as Matrix, inverses[k] as Matrix);
        assert.deepEqual(product, expected, `C[${i * n + k}]`);
      }
    }
  });

  test("jobs start in the scheduler's order: the same as inline with one slot", async () => {
    const local = await startOrder(inline());
    const remote = await startOrder(executor());
    assert.equal(local.length, 3 + 3 + 9);
    assert.deepEqual(remote, local);
    assert.deepEqual(local.slice(0, 3), ['A2', 'B2', 'C8'], 'newest results first');
  });

  test('a generator streams its items as they are yielded, in order', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, executor: executor() });
    const stream = Q.submit(R.ticker, 6, 60);
    const arrivals: number[] = [];
    const items: number[] = [];
    sch.start();
    for await (const item of stream) {
      items.push(item);
      arrivals.push(performance.now());
    }
    await sch.close();
    assert.deepEqual(items, [0, 1, 2, 3, 4, 5]);
    const spread = (arrivals[5] as number) - (arrivals[0] as number);
    assert.ok(spread >= 200, `items arrived over ${spread.toFixed(0)} ms, not all at the end`);
  });

  test("a task that fails in a worker fails here with the worker's error", async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 2, executor: executor() });
    const failing = Q.submit(R.broken, 'on purpose');
    const dependent = Q.submit(R.invert, failing as unknown as Future<Matrix>);
    const unknown = Q.submit(R.unserved);
    const uncopyable = Q.submit(R.broken, (() => 'a function') as unknown as string);
    sch.start();
    await assert.rejects(sch.wait());
    await sch.close();
    const error = await failing.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof TypeError, String(error));
    assert.equal(error.message, 'broken: on purpose');
    assert.match(String(error.stack), /at broken .*cluster-tasks\.ts/);
    await assert.rejects(async () => dependent, DependencyError);
    await assert.rejects(
      async () => unknown,
      (e) =>
        e instanceof TypeError &&
        /serves no exported function `notServedAnywhere`/.test(e.message) &&
        /--tasks/.test(e.message),
    );
    await assert.rejects(
      async () => uncopyable,
      (e) => e instanceof TypeError && /could not be copied to Redis/.test(e.message),
    );
  });

  test('SIGTERM: a worker finishes its running job, then exits', async () => {
    const queue = 'sigterm-test';
    const log = join(dir, 'sigterm.log');
    const worker = await startWorker([
      ...['--connection', redis.url, '--queue', queue, '--tasks', R.CLUSTER_TASKS_PATH],
    ]);
    const sch = new Scheduler();
    const Q = new Queue(sch, {
      concurrency: 1,
      executor: cluster({ connection: redis.url, queueName: queue }),
    });
    const job = Q.submit(R.slow, 'drained', 800, log);
    sch.start();
    while (!safeRead(log).includes('drained')) await new Promise((r) => setTimeout(r, 20));
    worker.child.kill('SIGTERM');
    const [code, signal] = await worker.exited;
    assert.deepEqual([code, signal], [0, null], worker.output());
    assert.deepEqual(await job, { label: 'drained', pid: worker.pid });
    assert.match(worker.output(), /finishing the running jobs/);
    await sch.close();
  });

  test("a job that is not a scheduler's is failed in BullMQ, and runs nothing", async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = new BullQueue(QUEUE, { connection });
    try {
      const job = await queue.add('randomMatrix', { reply: 42, code: 'process.exit(1)' });
      let state = await job.getState();
      while (state !== 'failed') {
        await new Promise((r) => setTimeout(r, 20));
        state = await job.getState();
      }
      const failed = await queue.getJob(job.id as string);
      assert.match(String(failed?.failedReason), /is not a job of a smqsched scheduler/);
      for (const worker of workers) assert.equal(worker.child.exitCode, null, 'workers live on');
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  test('after close() the scheduler process exits on its own', async () => {
    const script = fileURLToPath(new URL('./exit-script.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', script, redis.url, QUEUE],
      { timeout: 15_000 },
    );
    assert.equal(stdout.trim(), 'result 4; closed');
  });
});

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
