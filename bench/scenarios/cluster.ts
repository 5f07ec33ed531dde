/**
 * cluster() end to end: trivial tasks through a private redis-server and one worker process
 * of concurrency 8 (`smqsched worker`), against plain BullMQ in the same run (Queue.addBulk
 * of every job, one BullMQ Worker process of concurrency 8, completions read with
 * QueueEvents), and the round-trip latency of one task alone for both.
 *
 * Each run starts its own redis-server (no persistence) and worker process, and warms both up
 * (a few hundred jobs) before the timed part. All the tasks are in flight at once for both:
 * the smqsched queue's concurrency is the number of tasks, as addBulk puts every job in
 * Redis. The scenario is skipped (no variants) when redis-server is missing.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { measure, toRunResult } from '../measure.js';
import { type GroupResult, type RunResult, type Scenario, SUBJECT } from '../scenario.js';
import { findGroup, formatNumber, formatRatio, median, medianExtra, medianMs } from '../stats.js';

const TASKS = 10_000;
const WORKER_CONCURRENCY = 8;
const WARM_UP = 500;
const LATENCY_SAMPLES = 200;
const THROUGHPUT_TARGET = 0.7;
const PEER = 'bullmq';
const QUEUE = 'bench';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ECHO = new URL('../cluster-echo.mjs', import.meta.url);

const hasRedis = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

/** A child process that has printed `ready` on its stdout. */
async function startProcess(command: string, args: string[], ready: string): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${command} exited with ${code}: ${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) resolve();
    });
  });
  child.removeAllListeners('exit');
  child.stdout?.resume();
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** CPU milliseconds a process has used so far (Linux /proc; NaN elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in 1/100 s
  } catch {
    return Number.NaN;
  }
}

/** The processes whose CPU time a run reports. */
interface Pids {
  readonly worker: number | undefined;
  readonly redis: number | undefined;
}

/** The CPU time of this process, its worker and Redis during `body`, in ms. */
async function cpuDuring<T>(
  pids: Pids,
  body: () => Promise<T>,
): Promise<{ value: T; cpu: Record<string, number> }> {
  const own = process.cpuUsage();
  const worker = cpuMs(pids.worker);
  const redis = cpuMs(pids.redis);
  const value = await body();
  const used = process.cpuUsage(own);
  return {
    value,
    cpu: {
      producerCpuMs: (used.user + used.system) / 1000,
      workerCpuMs: cpuMs(pids.worker) - worker,
      redisCpuMs: cpuMs(pids.redis) - redis,
    },
  };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** smqsched: every task submitted, then `wait()`; then one task at a time for the latency. */
async function smqschedRun(url: string, size: number, pids: Pids): Promise<RunResult> {
  const { Queue, Scheduler, task } = await import('../../dist/index.js');
  const { cluster } = await import('../../dist/cluster/index.js');
  const echo = task<(value: number) => number>(ECHO, 'echo');
  const sch = new Scheduler();
  const Q = new Queue(sch, {
    concurrency: size,
    executor: cluster({ connection: url, queueName: QUEUE }),
  });
  sch.start();
  for (let i = 0; i < WARM_UP; i++) Q.submit(echo, i);
  await sch.wait();
  const measured = await measure(() =>
    cpuDuring(pids, async () => {
      let last: PromiseLike<number> & { result(): number } = Q.submit(echo, 0);
      for (let i = 1; i < size; i++) last = Q.submit(echo, i);
      await sch.wait();
      return last.result();
    }),
  );
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const start = performance.now();
    await Q.submit(echo, i);
    latencies.push(performance.now() - start);
  }
  await sch.close();
  check(measured.value.value, size);
  return toRunResult(measured, size, { ...measured.value.cpu, roundTripMs: median(latencies) });
}

/** Plain BullMQ: addBulk of every job, completions counted from QueueEvents. */
async function bullmqRun(url: string, size: number, pids: Pids): Promise<RunResult> {
  const { Queue, QueueEvents } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const eventsConnection = new Redis(url, { maxRetriesPerRequest: null });
  // Room in the event stream for every job's events, so that none is trimmed before it is read.
  const queue = new Queue(QUEUE, { connection, streams: { events: { maxLen: 20 * size } } });
  const events = new QueueEvents(QUEUE, { connection: eventsConnection, lastEventId: '0-0' });
  await events.waitUntilReady();
  let waiting: { count: number; resolve: () => void } | undefined;
  const byId = new Map<string, () => void>();
  let lastValue: unknown;
  events.on('completed', ({ jobId, returnvalue }) => {
    lastValue = returnvalue;
    byId.get(jobId)?.();
    if (waiting !== undefined && --waiting.count === 0) waiting.resolve();
  });
  const all = (count: number) =>
    new Promise<void>((resolve) => {
      waiting = { count, resolve };
    });
  const jobs = (count: number, offset: number) =>
    Array.from({ length: count }, (_, i) => ({
      name: 'echo',
      data: i,
      opts: { jobId: `j${offset + i}`, removeOnComplete: true },
    }));
  const warm = all(WARM_UP);
  await queue.addBulk(jobs(WARM_UP, 0));
  await warm;
  const measured = await measure(() =>
    cpuDuring(pids, async () => {
      const done = all(size);
      await queue.addBulk(jobs(size, WARM_UP));
      await done;
      return lastValue;
    }),
  );
  waiting = undefined;
  const latencies: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const jobId = `lat${i}`;
    const start = performance.now();
    const finished = new Promise<void>((resolve) => byId.set(jobId, resolve));
    await queue.add('echo', i, { jobId, removeOnComplete: true });
    await finished;
    latencies.push(performance.now() - start);
  }
  await events.close();
  await queue.close();
  connection.disconnect();
  eventsConnection.disconnect();
  check(measured.value.value, size);
  return toRunResult(measured, size, { ...measured.value.cpu, roundTripMs: median(latencies) });
}

function check(value: unknown, size: number): void {
  if (value !== size - 1)
    throw new Error(`cluster: the last task gave ${value}, expected ${size - 1}.`);
}

async function run(variant: string, size: number): Promise<RunResult> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const redis = await startProcess(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    'Ready to accept connections',
  );
  let worker: ChildProcess | undefined;
  try {
    worker =
      variant === SUBJECT
        ? await startProcess(
            process.execPath,
            [
              'dist/cli/main.js',
              ...['worker', '--connection', url, '--queue', QUEUE],
              ...['--tasks', fileURLToPath(ECHO), '--concurrency', String(WORKER_CONCURRENCY)],
            ],
            'serving queue',
          )
        : await startProcess(
            process.execPath,
            ['bench/cluster-peer-worker.mjs', url, QUEUE, String(WORKER_CONCURRENCY)],
            'serving',
          );
    const pids = { worker: worker.pid, redis: redis.pid };
    return variant === SUBJECT
      ? await smqschedRun(url, size, pids)
      : await bullmqRun(url, size, pids);
  } finally {
    if (worker !== undefined) await stopProcess(worker);
    await stopProcess(redis);
  }
}

function summarize(groups: readonly GroupResult[]): string[] {
  if (!hasRedis) return ['skipped: redis-server is missing (apt-get install redis-server)'];
  const lines: string[] = [];
  const oursMs = medianMs(findGroup(groups, SUBJECT, TASKS));
  const theirsMs = medianMs(findGroup(groups, PEER, TASKS));
  const rate = (ms: number) => formatNumber((TASKS / ms) * 1000);
  if (oursMs !== undefined && theirsMs !== undefined) {
    const ratio = theirsMs / oursMs;
    lines.push(
      `throughput, ${formatNumber(TASKS)} trivial tasks, 1 worker process x ${WORKER_CONCURRENCY}: ` +
        `cluster() ${rate(oursMs)}/s, plain BullMQ ${rate(theirsMs)}/s: ${formatRatio(ratio)}x ` +
        `(target >= ${THROUGHPUT_TARGET}: ${ratio >= THROUGHPUT_TARGET ? 'met' : 'MISSED'})`,
    );
  }
  const ours = medianExtra(findGroup(groups, SUBJECT, TASKS), 'roundTripMs');
  const theirs = medianExtra(findGroup(groups, PEER, TASKS), 'roundTripMs');
  if (ours !== undefined && theirs !== undefined) {
    lines.push(
      `round trip of one task alone (median of ${LATENCY_SAMPLES}): cluster() ` +
        `${formatNumber(ours, 2)} ms, plain BullMQ ${formatNumber(theirs, 2)} ms`,
    );
  }
  const cpu = (variant: string) =>
    ['producerCpuMs', 'workerCpuMs', 'redisCpuMs']
      .map((key) => formatNumber(medianExtra(findGroup(groups, variant, TASKS), key) ?? Number.NaN))
      .join(' / ');
  lines.push(
    `CPU ms of the timed part, producer / worker / redis-server: cluster() ${cpu(SUBJECT)}, plain BullMQ ${cpu(PEER)}`,
  );
  return lines;
}

export const clusterScenario: Scenario = {
  name: 'cluster',
  description: `cluster(): ${formatNumber(TASKS)} trivial tasks through Redis and one worker process of concurrency ${WORKER_CONCURRENCY} vs plain BullMQ (addBulk + Worker); one task's round trip${hasRedis ? '' : ' (skipped: no redis-server)'}`,
  variants: hasRedis ? [{ name: SUBJECT }, { name: PEER }] : [],
  sizes: [TASKS],
  run,
  summarize,
};
