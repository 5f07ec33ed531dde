import { describeValue } from '../errors.js';
import { checkRedisUrl } from './connection.js';

/** Options of `cluster(options)`. */
export interface ClusterOptions {
  /**
   * The Redis server, as a URL: `redis://host:6379`, `redis://:PASSWORD@host:6379/0`, or
   * `rediss://...` for TLS. The workers are started with the same URL.
   */
  connection: string;
  /**
   * The BullMQ queue the tasks go to; workers serve it with `--queue NAME`.
   * @default 'smqsched'
   */
  queueName?: string;
  /**
   * Milliseconds a task may go on after the scheduler aborted it (its `timeout` passed or its
   * `signal` aborted) before it fails here and frees its slot. Inside the worker the task's
   * `currentTask().signal` aborts at once; a worker is never killed from here, so a task that
   * ignores its signal keeps its worker's slot until it returns.
   * @default 100
   */
  abortGrace?: number;
  /**
   * Milliseconds between checks of the jobs in flight: a job that BullMQ failed (a job whose
   * workers died more often than `--max-stalled` allows) fails its task, and a job that Redis
   * lost is added again.
   * @default 5000
   */
  checkInterval?: number;
}

/** The options after checking, with defaults filled in. */
export interface CheckedClusterOptions {
  readonly connection: string;
  readonly queueName: string;
  readonly abortGrace: number;
  readonly checkInterval: number;
}

function checkMilliseconds(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') {
    throw new TypeError(
      `Expected \`${name}\` of cluster() to be a number of milliseconds, got ${describeValue(value)}.`,
    );
  }
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new RangeError(
      `Expected \`${name}\` of cluster() to be a finite number from 0 up, got ${describeValue(value)}.`,
    );
  }
  return value;
}

/**
 * Checks the options of `cluster()`.
 *
 * @throws TypeError or RangeError naming the option, at the call.
 */
export function checkClusterOptions(options: unknown): CheckedClusterOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `Expected the options of cluster() to be an object such as { connection: 'redis://localhost:6379' }, got ${describeValue(options)}.`,
    );
  }
  const {
    connection,
    queueName = 'smqsched',
    abortGrace,
    checkInterval,
  } = options as ClusterOptions;
  if (typeof queueName !== 'string' || queueName === '' || queueName.includes(':')) {
    throw new TypeError(
      `Expected \`queueName\` of cluster() to be a non-empty string without ':', got ${describeValue(queueName)}.`,
    );
  }
  const interval = checkMilliseconds(checkInterval, 'checkInterval', 5000);
  if (interval === 0) {
    throw new RangeError('Expected `checkInterval` of cluster() to be above 0, got `0` (number).');
  }
  return {
    connection: checkRedisUrl(connection, '`connection` of cluster()'),
    queueName,
    abortGrace: checkMilliseconds(abortGrace, 'abortGrace', 100),
    checkInterval: interval,
  };
}
