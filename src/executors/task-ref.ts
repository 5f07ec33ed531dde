import { describeValue } from '../errors.js';
import type { Args } from '../futures/argument-types.js';
import type { TaskFunction } from '../graph/task-node.js';
import { boolean, optional, readOptions, typeError } from '../options/validate.js';
import { currentTask } from '../scheduler/current-task.js';

/** Where a task reference points: a module and one of its exports. */
export interface TaskSpec {
  /** The module's URL (`file:` or `data:`), as a string. */
  readonly moduleUrl: string;
  /** The name of the export to call (`default` for the default export). */
  readonly exportName: string;
  /** True if the export is a generator function (sync or async). */
  readonly generator: boolean;
}

/** The items a generator function yields. */
export type YieldOf<F extends TaskFunction> =
  ReturnType<F> extends Generator<infer T, unknown, undefined>
    ? T
    : ReturnType<F> extends AsyncGenerator<infer T, unknown, undefined>
      ? T
      : never;

/**
 * A reference to an exported function of a module, made by `task()`: what `threads()` and
 * `processes()` queues run (a worker imports the module and calls the export), and what any
 * queue takes like a function. Typed by the export's own type `F`, so `submit` checks its
 * arguments and types its future. Calling it directly imports the module and calls the export.
 *
 * @typeParam F - the type of the export, e.g. `typeof import('./linalg.js').invert`.
 */
export interface TaskRef<F extends TaskFunction = TaskFunction> extends TaskSpec {
  (...args: Parameters<F>): Promise<Awaited<ReturnType<F>>>;
  readonly generator: false;
}

/**
 * A reference to an exported generator function, made by `task(url, name, { generator: true })`:
 * submitting it returns a `FutureStream` of its items, streamed back while the worker goes on.
 *
 * @typeParam F - the type of the export, e.g. `typeof import('./series.js').squares`.
 */
export interface StreamTaskRef<F extends TaskFunction = TaskFunction> extends TaskSpec {
  (...args: Parameters<F>): AsyncGenerator<YieldOf<F>, void, undefined>;
  readonly generator: true;
  /** The declared item count, if given to `task()` (see `TaskRefOptions.numberOfResults`). */
  readonly numberOfResults?: (...args: Args<Parameters<F>>) => number | undefined;
}

/** Options of `task(moduleUrl, exportName, options)`. */
export interface TaskRefOptions<F extends TaskFunction = TaskFunction> {
  /**
   * The export is a generator function (sync or async): `submit` returns a `FutureStream`.
   * It must be said here because the module is not loaded at submit time.
   * @default false
   */
  generator?: boolean;
  /**
   * For a generator: how many items it yields, from the arguments as passed to `submit`
   * (futures not yet resolved); `undefined` leaves the stream open-ended. The same as
   * `fn.numberOfResults` on a generator function.
   */
  numberOfResults?: (...args: Args<Parameters<F>>) => number | undefined;
}

/** Marks task references (a registry symbol, so two copies of smqsched agree). */
const TASK_SPEC = Symbol.for('smqsched.taskSpec');

/** The module and export a task reference points to, or undefined for any other function. */
export function specOf(fn: unknown): TaskSpec | undefined {
  return typeof fn === 'function'
    ? ((fn as unknown as Record<symbol, TaskSpec | undefined>)[TASK_SPEC] ?? undefined)
    : undefined;
}

/** Imports a module once per reference and finds the export, with a message if it is missing. */
function exportLoader(spec: TaskSpec): () => Promise<TaskFunction> {
  let loading: Promise<TaskFunction> | undefined;
  return () => {
    loading ??= import(spec.moduleUrl).then((module: Record<string, unknown>) =>
      pickExport(module, spec),
    );
    return loading;
  };
}

/**
 * The function `spec.exportName` of an imported module.
 *
 * @throws TypeError naming the module and the exports it has, if there is no such function.
 */
export function pickExport(module: Record<string, unknown>, spec: TaskSpec): TaskFunction {
  const fn = module[spec.exportName];
  if (typeof fn === 'function') return fn as TaskFunction;
  const names = Object.keys(module).join(', ') || 'none';
  throw new TypeError(
    `Expected module ${spec.moduleUrl} to export a function named \`${spec.exportName}\`, got ${describeValue(fn)} (its exports: ${names}). Fix the name given to task().`,
  );
}

function checkUrl(moduleUrl: unknown): string {
  let url: URL | undefined;
  if (moduleUrl instanceof URL) url = moduleUrl;
  else if (typeof moduleUrl === 'string' && URL.canParse(moduleUrl)) url = new URL(moduleUrl);
  if (url === undefined || (url.protocol !== 'file:' && url.protocol !== 'data:')) {
    throw new TypeError(
      `Expected the module of task() to be a file: or data: URL, e.g. new URL('./tasks.js', import.meta.url), got ${describeValue(moduleUrl)}.`,
    );
  }
  return url.href;
}

function checkName(exportName: unknown): string {
  if (typeof exportName !== 'string' || exportName === '') {
    throw new TypeError(
      `Expected the export name of task() to be a non-empty string, got ${describeValue(exportName)}.`,
    );
  }
  return exportName;
}

/** The keys of {@link TaskRefOptions}, for `readOptions`. */
const TASK_REF_OPTIONS = ['generator', 'numberOfResults'] as const;

function checkOptions(options: unknown, exportName: string): TaskRefOptions {
  const call = `task(…, '${exportName}')`;
  const o = readOptions(call, options, TASK_REF_OPTIONS);
  const generator = optional(call, o, 'generator', boolean);
  const numberOfResults = optional(call, o, 'numberOfResults', (where, value) => {
    if (typeof value !== 'function' || generator !== true) {
      throw typeError(
        where.call,
        where.key,
        `a function, given with \`generator: true\`${generator === true ? '' : ' (it is not here)'}`,
        value,
      );
    }
    return value as TaskRefOptions['numberOfResults'];
  });
  const checked: TaskRefOptions = {};
  if (generator !== undefined) checked.generator = generator;
  if (numberOfResults !== undefined) checked.numberOfResults = numberOfResults;
  return checked;
}

/** True for the object a generator function returns (sync or async). */
export function isGeneratorObject(value: unknown): boolean {
  const tag = Object.prototype.toString.call(value);
  return tag === '[object Generator]' || tag === '[object AsyncGenerator]';
}

/** True for something a generator task can be driven through: an iterator. */
export function isIterator(value: unknown): value is Iterator<unknown> | AsyncIterator<unknown> {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { next?: unknown }).next === 'function'
  );
}

/**
 * The `TypeError` for an export that is not what `task()` declared: a generator function
 * declared without `generator: true`, or the other way round. `who` names the task.
 */
export function misdeclared(spec: TaskSpec, who: string, result: unknown): TypeError {
  const where = `the export \`${spec.exportName}\` of ${spec.moduleUrl}`;
  return new TypeError(
    spec.generator
      ? `${who}: task() declared ${where} a generator, but it returned ${describeValue(result)}. Export a generator function, or drop \`generator: true\`.`
      : `${who}: ${where} is a generator function. Declare it with task(url, '${spec.exportName}', { generator: true }).`,
  );
}

function inlineLabel(): string {
  const running = currentTask();
  return running === undefined ? 'A task' : `Task ${running.id} (${running.name})`;
}

/** The callable that runs the export in this thread (inline queues and direct calls). */
function inlineCaller(spec: TaskSpec): TaskFunction {
  const load = exportLoader(spec);
  if (spec.generator) {
    return async function* (...args: unknown[]) {
      const result = (await load())(...args);
      if (!isIterator(result)) throw misdeclared(spec, inlineLabel(), result);
      yield* result as unknown as AsyncIterable<unknown>;
    };
  }
  return async (...args: unknown[]) => {
    const value = await (await load())(...args);
    if (isGeneratorObject(value)) throw misdeclared(spec, inlineLabel(), value);
    return value;
  };
}

/**
 * A reference to the generator function `exportName` of the module at `moduleUrl`: `submit`
 * returns a `FutureStream` of its items.
 */
export function task<F extends TaskFunction>(
  moduleUrl: URL | string,
  exportName: string,
  options: TaskRefOptions<F> & { generator: true },
): StreamTaskRef<F>;
/**
 * A reference to the function `exportName` of the module at `moduleUrl`, for `submit` on any
 * queue; the only kind of task `threads()` and `processes()` queues run. The module is imported
 * where the task runs (in the worker), not here. Pass the export's type as `F` so that
 * arguments and results are checked.
 *
 * @throws TypeError if `moduleUrl` is not a `file:` or `data:` URL, `exportName` is not a
 *   non-empty string, or the options are malformed.
 *
 * @example
 * ```ts
 * const invert = task<typeof import('./linalg.js').invert>(
 *   new URL('./linalg.js', import.meta.url),
 *   'invert',
 * );
 * const Q = new Queue(sch, { executor: threads() });
 * const inverse = Q.submit(invert, matrix); // Future<Matrix>
 *
 * const squares = task<typeof import('./series.js').squares>(
 *   new URL('./series.js', import.meta.url),
 *   'squares',
 *   { generator: true, numberOfResults: (n) => (typeof n === 'number' ? n : undefined) },
 * );
 * const stream = Q.submit(squares, 10); // FutureStream<number>
 * ```
 */
export function task<F extends TaskFunction>(
  moduleUrl: URL | string,
  exportName: string,
  options?: TaskRefOptions<F> & { generator?: false },
): TaskRef<F>;
export function task(
  moduleUrl: URL | string,
  exportName: string,
  options?: TaskRefOptions,
): TaskRef | StreamTaskRef {
  const name = checkName(exportName);
  const checked = checkOptions(options, name);
  const spec: TaskSpec = {
    moduleUrl: checkUrl(moduleUrl),
    exportName: name,
    generator: checked.generator === true,
  };
  const ref = inlineCaller(spec);
  Object.defineProperties(ref, {
    name: { value: name },
    moduleUrl: { value: spec.moduleUrl, enumerable: true },
    exportName: { value: name, enumerable: true },
    generator: { value: spec.generator, enumerable: true },
    [TASK_SPEC]: { value: spec },
  });
  if (checked.numberOfResults !== undefined) {
    Object.defineProperty(ref, 'numberOfResults', { value: checked.numberOfResults });
  }
  return ref as unknown as TaskRef | StreamTaskRef;
}
