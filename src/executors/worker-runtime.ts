import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { TaskFunction } from '../graph/task-node.js';
import { RunningTaskInfo, taskStorage } from '../scheduler/current-task.js';
import { driveGenerator, type ItemSink } from './drive-generator.js';
import { pickExport } from './task-ref.js';
import { type TaskOutcome, type TaskRequest, toWire } from './wire.js';

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

function isIterator(value: unknown): value is Iterator<unknown> | AsyncIterator<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { next?: unknown }).next === 'function'
  );
}

function apply(fn: TaskFunction, args: unknown[]): unknown {
  return fn(...args);
}

/**
 * The worker's side of task execution, the same in worker threads and child processes: imports
 * task modules (once each), runs one task at a time with its `currentTask()` context, streams a
 * generator's items through `emit`, and reports the outcome in a form that can cross back.
 */
export class WorkerRuntime {
  readonly #modules = new Map<string, Promise<Record<string, unknown>>>();
  #running: { readonly key: number; readonly info: RunningTaskInfo } | undefined;
  /** Aborts that arrived before their task started here, oldest first. */
  readonly #early = new Map<number, unknown>();

  /**
   * Aborts the signal of attempt `key`: at once if it runs now, else when it starts here (an
   * abort can overtake its task). Early aborts of tasks that run elsewhere are forgotten after
   * a while.
   */
  abort(key: number, reason: unknown): void {
    if (this.#running?.key === key) {
      this.#running.info.abort(reason);
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
  async run(request: TaskRequest, emit?: ItemSink): Promise<TaskOutcome> {
    const info = new RunningTaskInfo(request.id, request.name, request.attempt);
    this.#running = { key: request.key, info };
    if (this.#early.size > 0 && this.#early.has(request.key)) {
      info.abort(this.#early.get(request.key));
      this.#early.delete(request.key);
    }
    try {
      const fn = await this.#load(request);
      const result = taskStorage.run(info, apply, fn, request.args);
      if (request.generator) return { ok: true, value: await drive(request, result, info, emit) };
      const value = await result;
      if (isGeneratorObject(value)) {
        throw new TypeError(
          `Task ${request.id} (${request.name}): the export \`${request.exportName}\` of ${request.url} is a generator function. Declare it with task(url, '${request.exportName}', { generator: true }).`,
        );
      }
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toWire(error) };
    } finally {
      this.#running = undefined;
    }
  }

  #load(request: TaskRequest): Promise<TaskFunction> {
    let loading = this.#modules.get(request.url);
    if (loading === undefined) {
      loading = importModule(request.url);
      this.#modules.set(request.url, loading);
      loading.catch(() => this.#modules.delete(request.url));
    }
    return loading.then((module) =>
      pickExport(module, {
        moduleUrl: request.url,
        exportName: request.exportName,
        generator: false,
      }),
    );
  }
}

function isGeneratorObject(value: unknown): boolean {
  const tag = Object.prototype.toString.call(value);
  return tag === '[object Generator]' || tag === '[object AsyncGenerator]';
}

async function drive(
  request: TaskRequest,
  result: unknown,
  info: RunningTaskInfo,
  emit: ItemSink | undefined,
): Promise<number> {
  if (!isIterator(result)) {
    throw new TypeError(
      `Task ${request.id} (${request.name}): task() declared \`${request.exportName}\` of ${request.url} a generator, but it returned ${typeof result}. Export a generator function, or drop \`generator: true\`.`,
    );
  }
  let count = 0;
  await driveGenerator(result, info, (value) => {
    count++;
    return emit === undefined || emit(value);
  });
  return count;
}
