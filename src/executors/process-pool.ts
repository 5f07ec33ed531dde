import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { RemoteTask, Transport } from './remote-task.js';
import {
  isTaskOutcome,
  messageOf,
  type TaskOutcome,
  type TaskRequest,
  type WireError,
} from './wire.js';

/** What the scheduler sends a worker process. */
export type ToWorker =
  | { readonly kind: 'run'; readonly request: TaskRequest }
  | { readonly kind: 'abort'; readonly key: number; readonly reason: WireError }
  | { readonly kind: 'stop'; readonly key: number };

/** What a worker process sends back: a generator's items, then every task's outcome. */
export type FromWorker =
  | { readonly kind: 'item'; readonly key: number; readonly value: unknown }
  | { readonly kind: 'end'; readonly key: number; readonly outcome: TaskOutcome };

/**
 * `message` as a `FromWorker`, or undefined if it is not of that shape. A task can send on the
 * channel too (`process.send`), so nothing from it is trusted.
 */
export function readFromWorker(message: unknown): FromWorker | undefined {
  if (message === null || typeof message !== 'object') return undefined;
  const { kind, key } = message as { kind?: unknown; key?: unknown };
  if (typeof key !== 'number') return undefined;
  if (kind === 'item') return 'value' in message ? (message as FromWorker) : undefined;
  if (kind !== 'end') return undefined;
  return isTaskOutcome((message as { outcome?: unknown }).outcome)
    ? (message as FromWorker)
    : undefined;
}

/** Milliseconds `close()` gives a worker to exit after its channel is closed. */
const EXIT_WAIT_MS = 2000;

/** A task handed to the pool, with the scheduler-side view of it. */
interface PoolTask {
  readonly request: TaskRequest;
  readonly remote: RemoteTask;
}

/** One child process and the task it runs, if any. */
interface ProcessWorker {
  readonly child: ChildProcess;
  task: PoolTask | undefined;
}

/**
 * Up to `size` child processes running one task each, over the IPC channel with the `advanced`
 * (structured clone) serialization. Processes start on demand; one that exits or crashes fails
 * only its task (`RemoteTask.lost`) and is replaced when a task next needs a process. Idle
 * processes are unreferenced, so they never keep the scheduler's process alive.
 *
 * Invariant: a worker is in `#idle` exactly while it is alive and has no task.
 */
export class ProcessPool implements Transport {
  readonly #entry: string;
  readonly #size: number;
  readonly #execArgv: string[];
  readonly #all = new Set<ProcessWorker>();
  readonly #idle: ProcessWorker[] = [];
  readonly #waiting: PoolTask[] = [];
  /** True once a message outside the protocol was reported (once per pool). */
  #warned = false;

  constructor(entry: URL, size: number, execArgv: string[] | undefined) {
    this.#entry = fileURLToPath(entry);
    this.#size = size;
    this.#execArgv = execArgv ?? inheritedExecArgv();
  }

  /** Runs a task on an idle process, a new one, or the first to come free. */
  run(request: TaskRequest, remote: RemoteTask): void {
    const worker = this.#idle.pop() ?? (this.#all.size < this.#size ? this.#spawn() : undefined);
    if (worker === undefined) this.#waiting.push({ request, remote });
    else this.#start(worker, { request, remote });
  }

  /** Ends every process; tasks still running are lost with them. */
  async close(): Promise<void> {
    const exits = [...this.#all].map((worker) => this.#end(worker));
    this.#idle.length = 0;
    await Promise.all(exits);
  }

  #spawn(): ProcessWorker {
    const child = fork(this.#entry, [], {
      serialization: 'advanced',
      stdio: 'inherit',
      execArgv: this.#execArgv,
    });
    const worker: ProcessWorker = { child, task: undefined };
    this.#all.add(worker);
    child.on('message', (message: unknown) => this.#onMessage(worker, message));
    child.on('exit', (code, signal) => this.#onExit(worker, code, signal));
    child.on('error', () => {}); // a failed send or kill; 'exit' follows and decides
    return worker;
  }

  #start(worker: ProcessWorker, task: PoolTask): void {
    worker.task = task;
    setReferenced(worker.child, true);
    try {
      worker.child.send({ kind: 'run', request: task.request } satisfies ToWorker);
    } catch (error) {
      worker.task = undefined;
      const { id, name } = task.remote.info;
      task.remote.reject(
        new TypeError(
          `Task ${id} (${name}): its arguments could not be copied to its worker process (${messageOf(error)}). Pass only data that structured cloning copies: no functions, no objects that need their class.`,
          { cause: error },
        ),
      );
      this.#release(worker);
    }
  }

  abort(task: RemoteTask, reason: WireError): void {
    const waiting = this.#waiting.findIndex((queued) => queued.remote === task);
    if (waiting >= 0) {
      this.#waiting.splice(waiting, 1);
      task.lost(null, null); // never started: it fails with the abort's reason
      return;
    }
    const child = this.#workerOf(task)?.child;
    if (child !== undefined) send(child, { kind: 'abort', key: task.key, reason });
  }

  stop(task: RemoteTask): void {
    const child = this.#workerOf(task)?.child;
    if (child !== undefined) send(child, { kind: 'stop', key: task.key });
  }

  kill(task: RemoteTask): void {
    this.#workerOf(task)?.child.kill('SIGKILL');
  }

  #workerOf(task: RemoteTask): ProcessWorker | undefined {
    for (const worker of this.#all) if (worker.task?.remote === task) return worker;
    return undefined;
  }

  #onMessage(worker: ProcessWorker, raw: unknown): void {
    const message = readFromWorker(raw);
    const task = worker.task;
    if (message === undefined || task === undefined || message.key !== task.request.key) {
      this.#foreign(
        worker,
        raw,
        message === undefined ? 'not of its shape' : 'for no task it runs',
      );
      return;
    }
    if (message.kind === 'item') {
      task.remote.item(message.value);
      return;
    }
    worker.task = undefined;
    task.remote.end(message.outcome);
    this.#release(worker);
  }

  /**
   * A message outside the protocol (a task called `process.send`, or sent after its task ended):
   * ignored, and reported once per pool as a process warning.
   */
  #foreign(worker: ProcessWorker, raw: unknown, why: string): void {
    if (this.#warned) return;
    this.#warned = true;
    const what = raw === null ? 'null' : typeof raw;
    process.emitWarning(
      `smqsched: a processes() worker (pid ${worker.child.pid}) sent a message ${why} (a ${what}); it is ignored, as are any more from this pool. A task should return, throw or yield, not call process.send().`,
      { code: 'SMQSCHED_FOREIGN_MESSAGE' },
    );
  }

  /** A worker is free: it takes the next waiting task, or waits unreferenced. */
  #release(worker: ProcessWorker): void {
    const next = this.#waiting.shift();
    if (next !== undefined) {
      this.#start(worker, next);
      return;
    }
    setReferenced(worker.child, false);
    this.#idle.push(worker);
  }

  #onExit(worker: ProcessWorker, code: number | null, signal: NodeJS.Signals | null): void {
    this.#all.delete(worker);
    const idleAt = this.#idle.indexOf(worker);
    if (idleAt >= 0) this.#idle.splice(idleAt, 1);
    const task = worker.task;
    worker.task = undefined;
    task?.remote.lost(code, signal);
    const next = this.#waiting.shift();
    if (next !== undefined) this.#start(this.#spawn(), next);
  }

  /** Closes the worker's channel (it exits on its own), then kills it if it lingers. */
  async #end(worker: ProcessWorker): Promise<void> {
    const child = worker.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_WAIT_MS);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * The scheduler's own Node.js options, less the inspector's: a worker started with the same
 * `--inspect` port would fail to start (the port is taken).
 */
function inheritedExecArgv(): string[] {
  return process.execArgv.filter((arg) => !/^--inspect(-brk|-wait|-port)?(=|$)/.test(arg));
}

function send(child: ChildProcess, message: ToWorker): void {
  if (child.connected) child.send(message);
}

/** Whether the child (and its IPC channel) keep the scheduler's process alive. */
function setReferenced(child: ChildProcess, referenced: boolean): void {
  const channel = child.channel as { ref(): void; unref(): void } | null | undefined;
  if (referenced) {
    child.ref();
    channel?.ref();
  } else {
    child.unref();
    channel?.unref();
  }
}
