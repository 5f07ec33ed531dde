import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TaskFunction } from '../graph/task-node.js';
import type { ClusterJob } from './protocol.js';

/** One served module. */
interface ServedModule {
  /** Its URL on this machine. */
  readonly url: string;
  /** Its file name without the extension (`tasks` for ./lib/tasks.js or tasks.ts). */
  readonly stem: string;
  /** Its exported functions, by name. */
  readonly functions: ReadonlyMap<string, TaskFunction>;
}

function stemOf(pathOrUrl: string): string {
  const name = basename(pathOrUrl.startsWith('file:') ? new URL(pathOrUrl).pathname : pathOrUrl);
  return name.slice(0, name.length - extname(name).length);
}

/**
 * The tasks a worker serves: the exported functions of the modules it was started with,
 * imported once at start. A job names an export; the worker runs it only if one of these
 * modules exports a function of that name, so no code ever comes from Redis.
 */
export class TaskCatalog {
  readonly #modules: readonly ServedModule[];

  private constructor(modules: readonly ServedModule[]) {
    this.#modules = modules;
  }

  /**
   * Imports the modules (paths relative to the working directory, or `file:` URLs).
   *
   * @throws if a module cannot be imported, or exports no function.
   */
  static async load(paths: readonly string[]): Promise<TaskCatalog> {
    const modules: ServedModule[] = [];
    for (const path of paths) {
      const url = path.startsWith('file:') ? path : pathToFileURL(resolve(path)).href;
      const module = (await import(url)) as Record<string, unknown>;
      const functions = new Map<string, TaskFunction>();
      for (const [name, value] of Object.entries(module)) {
        if (typeof value === 'function') functions.set(name, value as TaskFunction);
      }
      if (functions.size === 0) {
        throw new TypeError(
          `Expected the task module ${path} to export functions, but it exports none. Give --tasks a module whose exported functions the scheduler submits with task().`,
        );
      }
      modules.push({ url, stem: stemOf(url), functions });
    }
    return new TaskCatalog(modules);
  }

  /** The names of the served exports, for the start-up line. */
  get names(): string[] {
    return this.#modules.flatMap((module) => [...module.functions.keys()]);
  }

  /**
   * The URL of the served module whose export the job names: the only one that exports it, or
   * among several, the one whose file name matches the scheduler's module.
   *
   * @throws TypeError naming the task and the served modules if none (or no single one) fits.
   */
  resolve(job: ClusterJob): string {
    const serving = this.#modules.filter((module) => module.functions.has(job.exportName));
    const only = serving.length === 1 ? serving[0] : undefined;
    if (only !== undefined) return only.url;
    const stem = stemOf(job.module);
    const named = serving.filter((module) => module.stem === stem);
    if (named.length === 1 && named[0] !== undefined) return named[0].url;
    const served = this.#modules.map((module) => module.url).join(', ');
    throw new TypeError(
      serving.length === 0
        ? `Task ${job.id} (${job.name}): this worker serves no exported function \`${job.exportName}\` (its modules: ${served}). Start the worker with --tasks naming the module that exports it (the scheduler's is ${job.module}).`
        : `Task ${job.id} (${job.name}): several modules this worker serves export \`${job.exportName}\` (${serving.map((m) => m.url).join(', ')}) and none is named like the scheduler's ${job.module}. Serve one of them, or rename the export.`,
    );
  }
}
