import { describeValue } from '../errors.js';
import type { TaskFunction } from '../graph/task-node.js';
import { specOf } from './task-ref.js';

/** Options shared by `threads()` and `processes()`. */
export interface WorkerOptions {
  /**
   * Milliseconds a worker may go on with a task after the scheduler aborted it (its `timeout`
   * passed or its `signal` aborted) before the worker is ended and replaced. Inside the worker
   * the task's `currentTask().signal` aborts at once, so a task that watches it stops sooner.
   * @default 100
   */
  abortGrace?: number;
  /**
   * Node.js options for the workers, e.g. `['--max-old-space-size=4096']`.
   * @default the scheduler process's own `process.execArgv` (for processes, less `--inspect`
   *   options, whose port the scheduler holds)
   */
  execArgv?: string[];
}

/** The options after checking, with defaults filled in. */
export interface CheckedWorkerOptions {
  readonly abortGrace: number;
  readonly execArgv: string[] | undefined;
}

/**
 * Checks the options of `threads()` or `processes()`.
 *
 * @throws TypeError or RangeError naming the option, at the call.
 */
export function checkWorkerOptions(kind: string, options: unknown): CheckedWorkerOptions {
  if (options === undefined) return { abortGrace: 100, execArgv: undefined };
  if (options === null || typeof options !== 'object') {
    throw new TypeError(
      `Expected the options of ${kind}() to be an object, got ${describeValue(options)}.`,
    );
  }
  const { abortGrace = 100, execArgv } = options as WorkerOptions;
  if (typeof abortGrace !== 'number') {
    throw new TypeError(
      `Expected \`abortGrace\` of ${kind}() to be a number of milliseconds, got ${describeValue(abortGrace)}.`,
    );
  }
  if (!(abortGrace >= 0) || !Number.isFinite(abortGrace)) {
    throw new RangeError(
      `Expected \`abortGrace\` of ${kind}() to be a finite number from 0 up, got ${describeValue(abortGrace)}.`,
    );
  }
  if (execArgv !== undefined && !isStringArray(execArgv)) {
    throw new TypeError(
      `Expected \`execArgv\` of ${kind}() to be an array of strings, got ${describeValue(execArgv)}.`,
    );
  }
  return { abortGrace, execArgv: execArgv === undefined ? undefined : [...execArgv] };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Why `fn` cannot run on a `kind` executor (one that runs task references only), for the
 * `TypeError` that `submit` throws; `undefined` for a task reference.
 */
export function refuseClosure(kind: string, fn: TaskFunction): string | undefined {
  if (specOf(fn) !== undefined) return undefined;
  const name = fn.name || 'anonymous';
  return `Expected a task reference for a ${kind}() queue, got the function \`${name}\`: a worker cannot receive a function, it imports it. Export it from a module and submit task(new URL('./module.js', import.meta.url), '${name === 'anonymous' ? 'exportName' : name}') instead.`;
}

/**
 * The URL of a worker entry file beside this module: `.js` in the compiled package, `.ts` when
 * the package runs from its sources (tests under tsx).
 */
export function entryUrl(name: 'thread-entry' | 'process-entry'): URL {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./entries/${name}${extension}`, import.meta.url);
}
