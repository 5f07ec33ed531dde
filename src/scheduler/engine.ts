import { DependencyError, NonErrorThrown, TaskFailedError } from '../errors.js';
import { ArgumentScan, resolveArguments } from '../futures/arguments.js';
import { Ranking } from '../graph/ranking.js';
import { type TaskFunction, TaskNode } from '../graph/task-node.js';
import type { EventHub } from '../observe/events.js';
import type { QueueState } from '../queues/queue-state.js';
import { RunningTaskInfo } from './current-task.js';

/** How long one dispatch pass may run synchronous tasks before it gives the event loop back. */
const SLICE_MS = 8;

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function asError(node: TaskNode, thrown: unknown): unknown {
  return thrown instanceof Error ? thrown : new NonErrorThrown(node, thrown);
}

/**
 * The core of a scheduler: task records, the dispatch loop, completion and failure.
 *
 * Invariants:
 * - `#unsettled` counts the submitted tasks not yet done, failed or cancelled.
 * - `#running` counts the tasks started and not yet settled, over all queues.
 * - a dispatch pass starts every startable task (or yields after a time slice and schedules
 *   another pass), so after a pass with nothing running and nothing started, nothing can start.
 */
export class Engine {
  readonly queues: QueueState[] = [];
  readonly events: EventHub;
  readonly failFast: boolean;
  readonly #ranking = new Ranking();
  readonly #scan = new ArgumentScan();
  #nextId = 1;
  #started = false;
  #halted = false;
  #unsettled = 0;
  #running = 0;
  #dispatching = false;
  #dispatchQueued = false;
  #failures: unknown[] = [];
  #waiters: Waiter[] = [];
  #stopWaiters: (() => void)[] = [];
  readonly #moved = (node: TaskNode): void => node.queue.heap.improved(node);
  readonly #dispatchNow = (): void => {
    this.#dispatchQueued = false;
    this.dispatch();
  };

  constructor(events: EventHub, failFast: boolean) {
    this.events = events;
    this.failFast = failFast;
  }

  get started(): boolean {
    return this.#started;
  }

  /** Records a task and gives it its place in the order. Throws before recording anything. */
  submit(queue: QueueState, fn: TaskFunction, args: unknown[], name: string): TaskNode {
    const scan = this.#scan;
    scan.scan(args, this, name);
    const deps = scan.deps;
    const node = new TaskNode(this.#nextId++, name, queue, fn, args, scan.nested, deps);
    this.#unsettled++;
    queue.counts.waiting++;
    let broken: TaskNode | undefined;
    if (deps !== undefined) {
      for (const dep of deps) {
        const status = dep.status;
        if (status === 'done') continue;
        if (status === 'failed' || status === 'cancelled') {
          broken = dep;
          break;
        }
        if (dep.dependents === undefined) dep.dependents = [node];
        else dep.dependents.push(node);
        node.pending++;
      }
    }
    if (broken !== undefined) {
      this.#cancelFrom(broken, [node]);
      this.#checkpoint();
      return node;
    }
    this.#ranking.place(node, this.#moved);
    if (node.pending === 0) this.#makeReady(node, true);
    if (this.#started) this.#queueDispatch();
    return node;
  }

  start(): void {
    this.#started = true;
    this.#halted = false;
    this.#queueDispatch();
  }

  stop(): Promise<void> {
    this.#started = false;
    return this.#whenNothingRuns();
  }

  wait(): Promise<void> {
    if (this.#isQuiet()) return this.#report();
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }

  #whenNothingRuns(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#stopWaiters.push(resolve));
  }

  /** All settled, or halted by failFast with nothing running. */
  #isQuiet(): boolean {
    return this.#unsettled === 0 || (this.#halted && this.#running === 0);
  }

  /** Settles one `wait()` with the failures not yet reported. */
  #report(): Promise<void> {
    if (this.#failures.length === 0) return Promise.resolve();
    const error = new TaskFailedError(this.#failures);
    this.#failures = [];
    return Promise.reject(error);
  }

  #queueDispatch(): void {
    if (this.#dispatchQueued || this.#dispatching) return;
    this.#dispatchQueued = true;
    queueMicrotask(this.#dispatchNow);
  }

  /** `newest`: the task was just submitted, so it ranks before every other. */
  #makeReady(node: TaskNode, newest: boolean): void {
    node.status = 'ready';
    const counts = node.queue.counts;
    counts.waiting--;
    counts.ready++;
    if (newest) node.queue.heap.pushNewest(node);
    else node.queue.heap.push(node);
  }

  /** Starts startable tasks, first in the dispatch order first, until none is left. */
  dispatch(): void {
    if (this.#dispatching || !this.#started || this.#halted) return;
    this.#dispatching = true;
    const queues = this.queues;
    const deadline = performance.now() + SLICE_MS;
    // Reading the clock costs about as much as a trivial task, so it is read every task while
    // tasks are slow and ever more rarely (up to every 256th) while they are fast.
    let checkEvery = 1;
    let sinceCheck = 0;
    let lastCheck = 0;
    try {
      while (this.#started && !this.#halted) {
        let best: TaskNode | undefined;
        for (let q = 0; q < queues.length; q++) {
          const queue = queues[q] as QueueState;
          if (queue.counts.running >= queue.concurrency) continue;
          const head = queue.heap.peek();
          if (head !== undefined && (best === undefined || head.precedes(best))) best = head;
        }
        if (best === undefined) break;
        best.queue.heap.remove(best);
        this.#run(best);
        if (++sinceCheck < checkEvery) continue;
        sinceCheck = 0;
        const now = performance.now();
        if (now > deadline) {
          setImmediate(this.#dispatchNow);
          this.#dispatchQueued = true;
          break;
        }
        checkEvery = now - lastCheck < 0.25 ? Math.min(checkEvery * 2, 256) : 1;
        lastCheck = now;
      }
    } finally {
      this.#dispatching = false;
    }
  }

  #run(node: TaskNode): void {
    const queue = node.queue;
    node.status = 'running';
    queue.counts.ready--;
    queue.counts.running++;
    this.#running++;
    const args = resolveArguments(node.args as unknown[], node.nestedFutures);
    const fn = node.fn as TaskFunction;
    node.args = undefined;
    node.deps = undefined;
    if (this.events.has('task:start')) {
      this.events.emit('task:start', {
        id: node.id,
        name: node.name,
        queue: queue.name,
        time: performance.now(),
      });
    }
    const info = new RunningTaskInfo(node.id, node.name, node.attempt);
    let result: unknown;
    try {
      result = queue.executor.run(fn, args, info);
    } catch (error) {
      this.#fail(node, asError(node, error));
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => {
          this.#finish(node, value);
          this.dispatch();
        },
        (error: unknown) => {
          this.#fail(node, asError(node, error));
          this.dispatch();
        },
      );
    } else {
      this.#finish(node, result);
    }
  }

  #finish(node: TaskNode, value: unknown): void {
    node.outcome = value;
    this.#leave(node, 'done');
    const dependents = node.dependents;
    node.dependents = undefined;
    if (dependents !== undefined) {
      for (const dependent of dependents) {
        if (--dependent.pending === 0 && dependent.status === 'waiting')
          this.#makeReady(dependent, false);
      }
    }
    this.#settled(node);
    this.#checkpoint();
  }

  #fail(node: TaskNode, error: unknown): void {
    node.outcome = error;
    this.#leave(node, 'failed');
    this.#failures.push(error);
    if (this.failFast) this.#halted = true;
    const dependents = node.dependents;
    node.dependents = undefined;
    this.#settled(node);
    if (dependents !== undefined) this.#cancelFrom(node, dependents);
    this.#checkpoint();
  }

  /** A running task ends: frees its slot. */
  #leave(node: TaskNode, status: 'done' | 'failed'): void {
    node.status = status;
    const counts = node.queue.counts;
    counts.running--;
    if (status === 'done') counts.done++;
    else counts.failed++;
    node.fn = undefined;
    this.#running--;
    this.#unsettled--;
  }

  /**
   * Cancels `dependents` and everything that depends on them, because `failed` failed or was
   * cancelled. Iterative, so a long chain of dependents cannot overflow the stack.
   */
  #cancelFrom(failed: TaskNode, dependents: TaskNode[]): void {
    let root: TaskNode = failed;
    let cause: unknown = failed.outcome;
    if (failed.status === 'cancelled' && failed.outcome instanceof DependencyError) {
      root = failed.outcome.failedTask as TaskNode;
      cause = failed.outcome.cause;
    }
    const stack = dependents.slice();
    while (stack.length > 0) {
      const node = stack.pop() as TaskNode;
      if (node.status !== 'waiting') continue;
      node.outcome = new DependencyError(node, { id: root.id, name: root.name }, cause);
      node.status = 'cancelled';
      node.queue.counts.waiting--;
      node.queue.counts.cancelled++;
      node.fn = undefined;
      node.args = undefined;
      node.deps = undefined;
      this.#unsettled--;
      const next = node.dependents;
      node.dependents = undefined;
      if (next !== undefined) for (const d of next) stack.push(d);
      this.#settled(node);
    }
  }

  /** Tells listeners, futures and waiters that `node` has settled. */
  #settled(node: TaskNode): void {
    const listeners = node.listeners;
    if (listeners !== undefined) {
      node.listeners = undefined;
      for (const listener of listeners) listener(node);
    }
    if (this.events.has('task:end')) {
      this.events.emit('task:end', {
        id: node.id,
        name: node.name,
        queue: node.queue.name,
        time: performance.now(),
        status: node.status as 'done' | 'failed' | 'cancelled',
        ...(node.status === 'done' ? {} : { error: node.outcome }),
      });
    }
  }

  /** After tasks settled: wakes `stop()` once nothing runs, and `wait()` once all is quiet. */
  #checkpoint(): void {
    if (this.#running === 0 && this.#stopWaiters.length > 0) {
      const stopped = this.#stopWaiters;
      this.#stopWaiters = [];
      for (const resolve of stopped) resolve();
    }
    if (this.#isQuiet()) this.#quiet();
  }

  #quiet(): void {
    if (this.#unsettled === 0 && this.events.has('idle')) {
      this.events.emit('idle', { time: performance.now() });
    }
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    const failures = this.#failures;
    this.#failures = [];
    const error = failures.length > 0 ? new TaskFailedError(failures) : undefined;
    for (const waiter of waiters) {
      if (error === undefined) waiter.resolve();
      else waiter.reject(error);
    }
  }
}
