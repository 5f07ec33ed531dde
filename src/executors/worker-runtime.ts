import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TaskFunction } from '../graph/task-node.js';
import { RunningTaskInfo, taskStorage } from '../scheduler/current-task.js';
import { driveGenerator, type ItemSink } from './drive-generator.js';
import {
  isGeneratorObject,
  isIterator,
  misdeclared,
  pickExport,
  type TaskSpec,
} from './task-ref.js';
import { messageOf, type TaskOutcome, type TaskRequest, toWire } from './wire.js';

/**
 * A `.ts` module that `import()` cannot load, loaded with `require` instead: inside worker
 * threads of Node 20, a TypeScript loader such as tsx hooks only `require` (its ESM hooks do not
 * reach workers), and `./x.js` written for the compiled layout may exist only as `./x.ts`.
 * Returns undefined when that does not apply, so the original error stands.
 */
function requireTypeScript(url: string, error: unknown): Record<string, unknown> | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (!url.startsWith('file:')) return undefined;
  if (code !== 'ERR_UNKNOWN_FILE_EXTENSION' && code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  const require = createRequire(import.meta.url);
  if (require.extensions['.ts'] === undefined) return undefined;
  let path = fileURLToPath(url);
  if (code === 'ERR_MODULE_NOT_FOUND') {
    const ts = path.replace(/\.([cm]?)js$/, '.$1ts');
    if (ts === path || existsSync(path) || !existsSync(ts)) return undefined;
    path = ts;
  }
  return require(path) as Record<string, unknown>;
}

async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const required = requireTypeScript(url, error);
    if (required === undefined) throw error;
    return required;
  }
}

/** How many aborts of tasks not (yet) running here a worker remembers. */
const EARLY_ABORTS_KEPT = 256;

function specOf(request: TaskRequest): TaskSpec {
  return { moduleUrl: request.url, exportName: request.exportName, generator: request.generator };
}

function labelOf(request: TaskRequest): string {
  return `Task ${request.id} (${request.name})`;
}

/** Where a worker runs: the words for messages. */
export type WorkerKind = 'thread' | 'process';

/** The error a task fails with when its result cannot be copied back to the scheduler. */
export function resultNotCopied(request: TaskRequest, kind: WorkerKind, cause: unknown): TypeError {
  return new TypeError(
    `${labelOf(request)}: its result could not be copied back from its worker ${kind} (${messageOf(cause)}). Return only data that structured cloning copies: no functions, no objects that need their class.`,
    { cause },
  );
}

/** The error a generator task fails with when an item cannot be copied back to the scheduler. */
export function itemNotCopied(
  request: TaskRequest,
  index: number,
  kind: WorkerKind,
  cause: unknown,
): TypeError {
  return new TypeError(
    `${labelOf(request)}: item ${index} it yielded could not be copied back from its worker ${kind} (${messageOf(cause)}). Yield only data that structured cloning copies: no functions, no objects that need their class.`,
    { cause },
  );
}

function apply(fn: TaskFunction, args: unknown[]): unknown {
  return fn(...args);
}

function failed(error: unknown): TaskOutcome {
  return { ok: false, error: toWire(error) };
}

/** How a result is awaited: not at all, through its `then`, or not (reading `then` threw). */
type Thenability = 'plain' | 'thenable' | { readonly threw: unknown };

function thenability(value: unknown): Thenability {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return 'plain';
  try {
    return typeof (value as { then?: unknown }).then === 'function' ? 'thenable' : 'plain';
  } catch (error) {
    return { threw: error };
  }
}

/** The error for a result whose `then` could not be read (a getter or Proxy trap threw). */
function unreadableThen(request: TaskRequest, cause: unknown): TypeError {
  return new TypeError(
    `${labelOf(request)} returned a value whose \`then\` could not be read (it threw). Return plain data or a real promise.`,
    { cause },
  );
}

/**
 * The worker's side of task execution, the same in worker threads and child processes: imports
 * task modules (once each), runs one task at a time with its `currentTask()` context, streams a
 * generator's items through `emit`, and reports the outcome in a form that can cross back.
 * A task whose export is loaded and that returns a plain value runs synchronously.
 */
export class WorkerRuntime {
  readonly #modules = new Map<string, Promise<Record<string, unknown>>>();
  /** Loaded exports, by module URL, then export name. */
  readonly #functions = new Map<string, Map<string, TaskFunction>>();
  #runningKey = 0;
  #runningInfo: RunningTaskInfo | undefined;
  /** Aborts that arrived before their task started here, oldest first. */
  readonly #early = new Map<number, unknown>();

  /**
   * Aborts the signal of attempt `key`: at once if it runs now, else when it starts here (an
   * abort can overtake its task). Early aborts of tasks that run elsewhere are forgotten after
   * a while.
   */
  abort(key: number, reason: unknown): void {
    if (this.#runningKey === key && this.#runningInfo !== undefined) {
      this.#runningInfo.abort(reason);
      return;
    }
    this.#early.set(key, reason);
    if (this.#early.size > EARLY_ABORTS_KEPT) {
      this.#early.delete(this.#early.keys().next().value as number);
    }
  }

  /**
   * Runs a task to its end. For a generator task, `emit` receives each item (returning false
   * stops the generator) and the outcome's value is the number of items.
   */
  run(request: TaskRequest, emit?: ItemSink): TaskOutcome | Promise<TaskOutcome> {
    const fn = this.#functions.get(request.url)?.get(request.exportName);
    if (fn === undefined) {
      return this.#load(request).then(() => this.run(request, emit), failed);
    }
    const info = this.#begin(request);
    let result: unknown;
    try {
      result = taskStorage.run(info, apply, fn, request.args);
    } catch (error) {
      this.#end();
      return failed(error);
    }
    if (request.generator) return this.#drive(request, result, info, emit);
    const then = thenability(result);
    if (then === 'plain') return this.#returned(request, result);
    if (then !== 'thenable') {
      this.#end();
      return failed(unreadableThen(request, then.threw));
    }
    // Promise.resolve adopts the thenable: its first settlement counts, a `then` that throws
    // rejects.
    return Promise.resolve(result).then(
      (value) => this.#returned(request, value),
      (error: unknown) => {
        this.#end();
        return failed(error);
      },
    );
  }

  #begin(request: TaskRequest): RunningTaskInfo {
    const info = new RunningTaskInfo(request.id, request.name, request.attempt);
    this.#runningKey = request.key;
    this.#runningInfo = info;
    if (this.#early.size > 0 && this.#early.has(request.key)) {
      info.abort(this.#early.get(request.key));
      this.#early.delete(request.key);
    }
    return info;
  }

  #end(): void {
    this.#runningKey = 0;
    this.#runningInfo = undefined;
  }

  /** The outcome of a task that returned `value` (once awaited): a generator object fails it. */
  #returned(request: TaskRequest, value: unknown): TaskOutcome {
    this.#end();
    try {
      if (!isGeneratorObject(value)) return { ok: true, value };
      return failed(misdeclared(specOf(request), labelOf(request), value));
    } catch (error) {
      return failed(error); // a revoked Proxy cannot even be asked what it is
    }
  }

  async #drive(
    request: TaskRequest,
    result: unknown,
    info: RunningTaskInfo,
    emit: ItemSink | undefined,
  ): Promise<TaskOutcome> {
    try {
      return { ok: true, value: await drive(request, result, info, emit) };
    } catch (error) {
      return failed(error);
    } finally {
      this.#end();
    }
  }

  /** Imports the task's module (once) and keeps its export; rejects if it is not a function. */
  async #load(request: TaskRequest): Promise<void> {
    let loading = this.#modules.get(request.url);
    if (loading === undefined) {
      loading = importModule(request.url);
      this.#modules.set(request.url, loading);
      loading.catch(() => this.#modules.delete(request.url));
    }
    const module = await loading;
    const fn = pickExport(module, {
      moduleUrl: request.url,
      exportName: request.exportName,
      generator: false,
    });
    const exports = this.#functions.get(request.url) ?? new Map<string, TaskFunction>();
    exports.set(request.exportName, fn);
    this.#functions.set(request.url, exports);
  }
}

async function drive(
  request: TaskRequest,
  result: unknown,
  info: RunningTaskInfo,
  emit: ItemSink | undefined,
): Promise<number> {
  if (!isIterator(result)) throw misdeclared(specOf(request), labelOf(request), result);
  let count = 0;
  await driveGenerator(result, info, (value) => {
    count++;
    return emit === undefined || emit(value);
  });
  return count;
}
