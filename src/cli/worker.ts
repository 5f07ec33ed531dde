/**
 * `smqsched worker`: serves a cluster queue (see docs/cluster.md). Loaded by main.ts only for
 * this command, so that `smqsched demo` never loads BullMQ.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { checkRedisUrl } from '../cluster/connection.js';
import { ClusterWorker, type ClusterWorkerOptions } from '../cluster/index.js';

function positiveInteger(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new RangeError(`Expected ${flag} to be an integer from ${min} up, got '${value}'.`);
  }
  return n;
}

/** Parses the flags; throws TypeError or RangeError saying what is wrong. */
export function parseWorkerArgs(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ClusterWorkerOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      connection: { type: 'string' },
      queue: { type: 'string' },
      tasks: { type: 'string', multiple: true },
      concurrency: { type: 'string' },
      'lock-duration': { type: 'string' },
      'stalled-interval': { type: 'string' },
      'max-stalled': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const connection = checkRedisUrl(
    values.connection ?? env.SMQSCHED_CONNECTION,
    '--connection (or $SMQSCHED_CONNECTION)',
  );
  const tasks = values.tasks ?? [];
  if (tasks.length === 0) {
    throw new TypeError(
      'Expected at least one --tasks MODULE: the worker runs only the exported functions of the modules it is given.',
    );
  }
  const queueName = values.queue ?? 'smqsched';
  if (queueName === '' || queueName.includes(':')) {
    throw new TypeError(`Expected --queue to be a name without ':', got '${queueName}'.`);
  }
  const options: {
    -readonly [K in keyof ClusterWorkerOptions]: ClusterWorkerOptions[K];
  } = {
    connection,
    queueName,
    tasks,
    concurrency: positiveInteger(values.concurrency, '--concurrency', 1) ?? 1,
  };
  const lockDuration = positiveInteger(values['lock-duration'], '--lock-duration', 1);
  const stalledInterval = positiveInteger(values['stalled-interval'], '--stalled-interval', 1);
  const maxStalledCount = positiveInteger(values['max-stalled'], '--max-stalled', 0);
  if (lockDuration !== undefined) options.lockDuration = lockDuration;
  if (stalledInterval !== undefined) options.stalledInterval = stalledInterval;
  if (maxStalledCount !== undefined) options.maxStalledCount = maxStalledCount;
  return options;
}

/** Runs `smqsched worker ARGS` until SIGTERM or SIGINT; returns the exit code. */
export async function runWorker(argv: readonly string[]): Promise<number> {
  let options: ClusterWorkerOptions;
  try {
    options = parseWorkerArgs(argv);
  } catch (error) {
    process.stderr.write(`smqsched worker: ${(error as Error).message} Run smqsched --help.\n`);
    return 2;
  }
  let worker: ClusterWorker;
  try {
    worker = await ClusterWorker.start(options);
  } catch (error) {
    process.stderr.write(`smqsched worker: could not start: ${(error as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`${worker.describe()}\n`);
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (++signals > 1) {
      // BullMQ gives the running jobs to other workers once their locks run out.
      process.stdout.write(
        `smqsched worker: ${signal} again: exiting now, leaving the running jobs to other workers\n`,
      );
      process.exit(1);
    }
    process.stdout.write(`smqsched worker: ${signal}: finishing the running jobs, then exiting\n`);
    void worker.close();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await worker.closed;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  const code = signals === 0 ? 1 : 0; // no signal: Redis refused the worker, and it said why
  if (code === 0) process.stdout.write('smqsched worker: closed\n');
  // Closed: the process ends on its own, unless BullMQ's blocking connection still retries a
  // Redis that is away; then it ends here.
  setTimeout(() => process.exit(code), 500).unref();
  return code;
}
