/**
 * Faults of a cluster: a worker killed with SIGKILL mid-task, and a Redis server stopped and
 * started again (empty: it saves nothing) mid-run. Neither loses a task, and each task's
 * result is taken once. The workers use short locks so that BullMQ notices a dead worker soon.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cluster } from '../../src/cluster/index.js';
import { type Future, Queue, Scheduler, WorkerCrashedError } from '../../src/index.js';
import type { Ran } from '../fixtures/cluster-tasks.js';
import { within } from '../helpers/gates.js';
import * as R from './cluster-refs.js';
import { skipReason, startRedis, type TestRedis } from './redis-server.js';
import { startWorkers, stopWorkers, type TestWorker } from './workers.js';

const skip = skipReason();

/** The `label pid` lines the `slow` tasks wrote as they started. */
function starts(log: string): string[][] {
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(' '));
}

/** A scheduler with one cluster queue that counts each task's end events. */
function clusterScheduler(url: string, queueName: string, concurrency: number) {
  const sch = new Scheduler();
  const Q = new Queue(sch, {
    concurrency,
    executor: cluster({ connection: url, queueName, checkInterval: 500 }),
  });
  const ends = new Map<number, number>();
  sch.on('task:end', (event) => ends.set(event.id, (ends.get(event.id) ?? 0) + 1));
  return { sch, Q, ends };
}

describe('cluster faults', { skip }, () => {
  let redis: TestRedis;
  let dir = '';
  const workers: TestWorker[] = [];
  const flags = (queue: string): string[] => [
    ...['--connection', redis.url, '--queue', queue, '--tasks', R.CLUSTER_TASKS_PATH],
    ...['--concurrency', '2', '--lock-duration', '1000', '--stalled-interval', '300'],
  ];

  before(async () => {
    redis = await startRedis();
    dir = mkdtempSync(join(tmpdir(), 'smqsched-faults-'));
  });
  after(async () => {
    await stopWorkers(workers);
    await redis?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  test('a worker killed with SIGKILL mid-task loses no task; its result is taken once', async (t) => {
    const log = join(dir, 'sigkill.log');
    const started = await startWorkers(2, flags('sigkill'));
    workers.push(...started);
    const { sch, Q, ends } = clusterScheduler(redis.url, 'sigkill', 4);
    const jobs: Future<Ran>[] = [];
    for (let i = 0; i < 4; i++) jobs.push(Q.submit(R.slow, `t${i}`, 1500, log));
    sch.start();
    // Wait until both workers run tasks, then kill one of them mid-task.
    const [victim, survivor] = started as [TestWorker, TestWorker];
    await within(
      (async () => {
        const pids = (): Set<string> => new Set(starts(log).map(([, pid]) => pid as string));
        while (!(pids().has(String(victim.pid)) && pids().has(String(survivor.pid)))) {
          await sleep(20);
        }
      })(),
      10_000,
      'both workers starting tasks',
    );
    const killedLabels = starts(log)
      .filter(([, pid]) => pid === String(victim.pid))
      .map(([label]) => label as string);
    victim.child.kill('SIGKILL');
    const killedAt = performance.now();
    assert.deepEqual(await victim.exited, [null, 'SIGKILL']);

    const results = await within(Promise.all(jobs), 20_000, 'the tasks after the kill');
    t.diagnostic(
      `killed worker ${victim.pid} mid-task in ${killedLabels.join(', ')}; all done ${(performance.now() - killedAt).toFixed(0)} ms after the kill`,
    );
    await sch.wait();
    await sch.close();
    assert.deepEqual(
      results.map((r) => r.label),
      ['t0', 't1', 't2', 't3'],
    );
    assert.ok(killedLabels.length > 0);
    for (const label of killedLabels) {
      const runs = starts(log).filter(([l]) => l === label);
      assert.equal(runs.length, 2, `${label} ran in the killed worker, then once more`);
      const result = results.find((r) => r.label === label);
      assert.equal(result?.pid, survivor.pid, `${label}'s result came from the survivor`);
    }
    assert.deepEqual([...ends.values()], [1, 1, 1, 1], 'each task ended once');
    assert.deepEqual([sch.stats().total.done, sch.stats().total.failed], [4, 0]);
  });

  test('Redis stopped and started again (empty) mid-run: work is delayed, nothing is lost', async (t) => {
    const log = join(dir, 'restart.log');
    const started = await startWorkers(2, flags('restart'));
    workers.push(...started);
    const { sch, Q, ends } = clusterScheduler(redis.url, 'restart', 4);
    const jobs: Future<Ran>[] = [];
    for (let i = 0; i < 16; i++) jobs.push(Q.submit(R.slow, `r${i}`, 150, log));
    let done = 0;
    for (const job of jobs) void job.then(() => done++);
    sch.start();
    while (done < 4) await sleep(10);
    await redis.stop();
    const doneWhileDown = done;
    await sleep(700);
    await redis.start();

    const restartedAt = performance.now();
    const results = await within(Promise.all(jobs), 30_000, 'the tasks after the restart');
    const runs = starts(log).length;
    t.diagnostic(
      `${doneWhileDown} of 16 done when Redis stopped; all done ${(performance.now() - restartedAt).toFixed(0)} ms after it was back; ${runs - 16} job run(s) repeated`,
    );
    await sch.wait();
    await sch.close();
    assert.deepEqual(
      results.map((r) => r.label),
      Array.from({ length: 16 }, (_, i) => `r${i}`),
    );
    assert.ok(doneWhileDown < 16, 'the restart came mid-run');
    assert.equal(ends.size, 16);
    assert.ok(
      [...ends.values()].every((n) => n === 1),
      'each task ended once',
    );
    assert.equal(sch.stats().total.done, 16);
  });

  test('a job that loses its worker more often than --max-stalled fails its task with WorkerCrashedError', async () => {
    const log = join(dir, 'max-stalled.log');
    const flagsNoStall = [...flags('max-stalled'), '--max-stalled', '0'];
    const [victim, checker] = (await startWorkers(2, flagsNoStall)) as [TestWorker, TestWorker];
    workers.push(victim, checker);
    const { sch, Q } = clusterScheduler(redis.url, 'max-stalled', 2);
    const lost = Q.submit(R.slow, 'lost', 5000, log);
    sch.start();
    const ran = await within(
      (async () => {
        for (;;) {
          const start = starts(log)[0];
          if (start !== undefined) return start[1];
          await sleep(20);
        }
      })(),
      10_000,
      'the task starting',
    );
    const runner = ran === String(victim.pid) ? victim : checker;
    runner.child.kill('SIGKILL');
    const error = await within(
      lost.then(
        () => undefined,
        (e: unknown) => e,
      ),
      15_000,
      'the task failing',
    );
    assert.ok(error instanceof WorkerCrashedError, String(error));
    assert.equal(error.task.id, lost.id);
    assert.match(String((error.cause as Error).message), /stalled/);
    await assert.rejects(sch.wait());
    await sch.close();
    assert.equal(starts(log).length, 1, 'it did not run again');
  });

  test('with Redis gone, sch.close() and a SIGTERMed worker still end, and exit', async () => {
    const own = await startRedis();
    try {
      const [worker] = (await startWorkers(1, [
        ...['--connection', own.url, '--queue', 'offline', '--tasks', R.LINALG_PATH],
      ])) as [TestWorker];
      workers.push(worker);
      const script = fileURLToPath(new URL('./offline-close-script.ts', import.meta.url));
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', script, own.url, 'offline', String(own.pid)],
        { timeout: 15_000 },
      );
      assert.equal(stdout.trim(), 'result 2; closed without Redis');
      worker.child.kill('SIGTERM');
      const [code] = await within(worker.exited, 15_000, 'the worker exiting without Redis');
      assert.equal(code, 0, worker.output());
    } finally {
      await own.stop();
    }
  });
});
