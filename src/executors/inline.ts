import type { TaskFunction } from '../graph/task-node.js';
import { type TaskInfo, taskStorage } from '../scheduler/current-task.js';
import { driveGenerator, type ItemSink } from './drive-generator.js';
import type { Executor } from './executor.js';

function applyTask(fn: TaskFunction, args: unknown[]): unknown {
  return fn(...args);
}

/**
 * Runs tasks on the main event loop, in the scheduler's own thread: any function, closures
 * included. Async functions give I/O concurrency; CPU-bound work wants `threads()`.
 */
class InlineExecutor implements Executor {
  readonly kind = 'inline';

  refuse(_fn: TaskFunction): string | undefined {
    return undefined;
  }

  run(fn: TaskFunction, args: unknown[], info: TaskInfo, sink?: ItemSink): unknown {
    const result = taskStorage.run(info, applyTask, fn, args);
    if (sink === undefined) return result;
    return driveGenerator(result as Iterator<unknown>, info, sink);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The default executor: tasks run on the main event loop (the seed's threads, in Node's terms).
 *
 * @example
 * ```ts
 * const io = new Queue(sch, { concurrency: 16, executor: inline() });
 * ```
 */
export function inline(): Executor {
  return new InlineExecutor();
}
