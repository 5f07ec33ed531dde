import { Worker } from 'node:worker_threads';
import { finitePositive, optional, readOptions, type Where } from '../options/validate.js';
import {
  type CheckedWorkerOptions,
  checkWorkerOptions,
  type WorkerOptions,
} from './worker-options.js';

/**
 * Caps on the memory of each worker thread, as Node's `Worker` takes them (see
 * `resourceLimits` in Node's `worker_threads` documentation). A thread that goes past them is
 * ended: its task fails with `WorkerCrashedError` and the pool starts another thread.
 */
export interface ThreadResourceLimits {
  /** The main heap's size, in MB (what `--max-old-space-size` sets for a process). */
  maxOldGenerationSizeMb?: number;
  /** The heap space for newly made objects, in MB. */
  maxYoungGenerationSizeMb?: number;
  /** The space for generated code, in MB. */
  codeRangeSizeMb?: number;
  /** The thread's stack, in MB. @default 4 */
  stackSizeMb?: number;
}

/** Options of `threads(options)`. */
export interface ThreadsOptions extends WorkerOptions {
  /**
   * Caps on each thread's memory (a thread takes no V8 options in `execArgv`, so this is how
   * to cap its heap): `{ maxOldGenerationSizeMb: 512 }`. Each a finite number of MB above 0.
   * @default Node's defaults (no cap below the process's own)
   */
  resourceLimits?: ThreadResourceLimits;
}

/** `threads()` options after checking. */
export interface CheckedThreadsOptions extends CheckedWorkerOptions {
  readonly resourceLimits: ThreadResourceLimits | undefined;
}

const LIMITS = [
  'maxOldGenerationSizeMb',
  'maxYoungGenerationSizeMb',
  'codeRangeSizeMb',
  'stackSizeMb',
] as const;

function checkLimits(where: Where, value: unknown): ThreadResourceLimits {
  const o = readOptions(where.call, value, LIMITS, `${where.key}.`);
  const limits: ThreadResourceLimits = {};
  for (const key of LIMITS) {
    const limit = optional(where.call, o, key, (w, v) =>
      finitePositive({ call: w.call, key: `${where.key}.${w.key}` }, v),
    );
    if (limit !== undefined) limits[key] = limit;
  }
  return limits;
}

/**
 * Refuses the `execArgv` flags that Node refuses for worker threads (V8 options, options of
 * the whole process), by making a thread with them: Node checks them as the `Worker` is made
 * and throws `ERR_WORKER_INVALID_EXEC_ARGV`. A thread that passes is ended at once.
 */
function checkThreadExecArgv(execArgv: string[]): void {
  let probe: Worker;
  try {
    probe = new Worker('', { eval: true, execArgv, stdout: true, stderr: true });
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
    const flags = (error as Error).message.replace(/^.*flags:\s*/, '');
    throw new TypeError(
      `threads(): \`execArgv\` holds Node options that worker threads do not take: ${flags}. Drop them: cap a thread's memory with \`resourceLimits\` (e.g. { maxOldGenerationSizeMb: 512 }), or use processes() for V8 and process-wide options.`,
      { cause: error },
    );
  }
  probe.on('error', () => {});
  probe.unref();
  probe.terminate().catch(() => {});
}

/**
 * Checks the options of `threads()`.
 *
 * @throws TypeError or RangeError naming the option, at the call.
 */
export function checkThreadsOptions(options: unknown): CheckedThreadsOptions {
  const checked = checkWorkerOptions('threads', options, ['resourceLimits']);
  const resourceLimits = optional('threads()', checked.rest, 'resourceLimits', checkLimits);
  if (checked.execArgv !== undefined && checked.execArgv.length > 0) {
    checkThreadExecArgv(checked.execArgv);
  }
  return { abortGrace: checked.abortGrace, execArgv: checked.execArgv, resourceLimits };
}
