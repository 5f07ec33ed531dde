import type { TaskFunction } from '../graph/task-node.js';
import { optional, readOptions, stringArray, timerMs } from '../options/validate.js';
import { specOf } from './task-ref.js';

/** Options shared by `threads()` and `processes()`. */
export interface WorkerOptions {
  /**
   * Milliseconds a worker may go on with a task after the scheduler aborted it (its `timeout`
   * passed or its `signal` aborted) before the worker is ended and replaced. Inside the worker
   * the task's `currentTask().signal` aborts at once, so a task that watches it stops sooner.
   * At most 2^31 - 1 (about 24.8 days), the longest timer Node keeps.
   * @default 100
   */
  abortGrace?: number;
  /**
   * Node.js options for the workers, e.g. `['--enable-source-maps']`. Worker threads take
   * only some of Node's options: `threads()` refuses, at the call, the ones Node would refuse
   * when starting a thread (V8 options such as `--max-old-space-size`, and options of the whole
   * process such as `--title`); cap a thread's memory with `resourceLimits` instead. Child
   * processes take them all (`processes({ execArgv: ['--max-old-space-size=4096'] })`).
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

/** The keys of {@link WorkerOptions}, for `readOptions`. */
export const WORKER_OPTIONS = ['abortGrace', 'execArgv'] as const;

/**
 * Checks the options of `threads()` or `processes()` (`kind`), the worker options and, for
 * `threads()`, `extra` keys, whose snapshot values come back unchecked in `rest`.
 *
 * @throws TypeError or RangeError naming the call and the option.
 */
export function checkWorkerOptions<K extends string = never>(
  kind: string,
  options: unknown,
  extra: readonly K[] = [],
): CheckedWorkerOptions & { readonly rest: Partial<Record<K, unknown>> } {
  const call = `${kind}()`;
  const o = readOptions<(typeof WORKER_OPTIONS)[number] | K>(call, options, [
    ...WORKER_OPTIONS,
    ...extra,
  ]);
  return {
    abortGrace: optional(call, o, 'abortGrace', timerMs) ?? 100,
    execArgv: optional(call, o, 'execArgv', stringArray),
    rest: o,
  };
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
