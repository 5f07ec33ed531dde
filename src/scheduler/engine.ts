import {
  CancelledError,
  DeadlockError,
  IndexError,
  NonErrorThrown,
  StreamCountError,
  TimeoutError,
} from '../errors.js';
import type { ItemSink } from '../executors/drive-generator.js';
import { ArgumentScan, resolveArguments } from '../futures/arguments.js';
import { cancelDependents, isTask, releaseDependents } from '../graph/propagate.js';
import { isUnstarted, Ranking } from '../graph/ranking.js';
import type { StreamState } from '../graph/stream-state.js';
import { TaskList } from '../graph/task-list.js';
import { type TaskFunction, TaskNode } from '../graph/task-node.js';
import type { TaskSettings } from '../graph/task-settings.js';
import type { EventHub } from '../observe/events.js';
import { type Explanation, explainTask } from '../observe/explain.js';
import type { QueueState } from '../queues/queue-state.js';
import { RunningTaskInfo } from './current-task.js';
import { Settlement } from './settlement.js';

/** How long one dispatch pass may run synchronous tasks before it gives the event loop back. */
const SLICE_MS = 8;

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
 * The core of a scheduler: task records, the dispatch loop, each attempt's life, completion,
 * failure, retries, holds and cancellation.
 *
 * Invariant: a dispatch pass starts every startable task (or yields after a time slice and
 * schedules another pass), so after a full pass nothing startable is left waiting; if then
 * nothing runs either while tasks remain, nothing ever will: a deadlock.
 */
export class Engine {
  readonly queues: QueueState[] = [];
  readonly events: EventHub;
  readonly failFast: boolean;
  readonly #ranking = new Ranking();
  readonly #scan = new ArgumentScan();
  readonly #settlement = new Settlement();
  readonly #unstarted = new TaskList();
  #nextId = 1;
  #started = false;
  #halted = false;
  #dispatching = false;
  #dispatchQueued = false;
  readonly #moved = (node: TaskNode): void => node.lane.improved(node);
  readonly #readyNow = (node: TaskNode): void => this.#makeReady(node, false);
  readonly #cancelled = (node: TaskNode): void => this.#countCancelled(node);
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

  /**
   * Records a task and gives it its place in the order. Throws before recording anything.
   * `stream` is given for a generator task; `settings` and `extraDeps` (release, then after)
   * for a task with options.
   */
  submit(
    queue: QueueState,
    fn: TaskFunction,
    args: unknown[],
    name: string,
    stream?: StreamState,
    settings?: TaskSettings,
    extraDeps?: readonly TaskNode[],
  ): TaskNode {
    const scan = this.#scan;
    scan.scan(args, this, name);
    if (extraDeps !== undefined) scan.addDeps(extraDeps);
    const deps = scan.deps;
    scan.deps = undefined; // the scan object is reused: it must not keep these tasks alive
    const node = new TaskNode(this.#nextId++, name, queue, fn, args, scan.nested, deps);
    node.stream = stream;
    node.settings = settings;
    this.#settlement.unsettled++;
    queue.counts.waiting++;
    if (deps !== undefined) {
      for (const dep of deps) {
        const status = dep.status;
        if (status === 'done') continue;
        if (status === 'failed' || status === 'cancelled') {
          cancelDependents(dep, [node], this.#cancelled);
          this.#checkpoint();
          return node;
        }
        if (dep.dependents === undefined) dep.dependents = [node];
        else dep.dependents.push(node);
        node.pending++;
      }
    }
    this.#unstarted.add(node);
    this.#ranking.place(node, this.#moved);
    if (node.pending === 0) this.#makeReady(node, true);
    if (settings?.signal !== undefined) this.#listen(node, settings, settings.signal);
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
    return this.#settlement.whenNothingRuns();
  }

  wait(): Promise<void> {
    const quiet = this.#isQuiet();
    const waiting = this.#settlement.wait(quiet);
    if (!quiet && this.#started) this.#queueDispatch(); // a pass also looks for deadlocks
    return waiting;
  }

  /** Why `node` is not running now (see `Scheduler.explain`). */
  explain(node: TaskNode): Explanation {
    return explainTask(node, this.#started, this.#halted);
  }

  /** All settled, or halted by failFast with nothing running. */
  #isQuiet(): boolean {
    const s = this.#settlement;
    return s.unsettled === 0 || (this.#halted && s.running === 0);
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
    if (newest) node.lane.pushNewest(node);
    else node.lane.push(node);
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
    let finished = false;
    try {
      while (this.#started && !this.#halted) {
        if (this.#ranking.dirty) this.#rerank();
        let best: TaskNode | undefined;
        for (let q = 0; q < queues.length; q++) {
          const head = (queues[q] as QueueState).firstStartable();
          if (head !== undefined && (best === undefined || head.precedes(best))) best = head;
        }
        if (best === undefined) {
          finished = true;
          break;
        }
        best.lane.remove(best);
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
    const s = this.#settlement;
    if (finished && s.running === 0 && s.unsettled > 0 && this.#started && !this.#halted) {
      this.#deadlock();
    }
  }

  #run(node: TaskNode): void {
    const queue = node.queue;
    const settings = node.settings;
    node.status = 'running';
    queue.counts.ready--;
    queue.counts.running++;
    this.#unstarted.remove(node);
    this.#ranking.started(node);
    queue.occupants.add(node);
    if (settings?.demand !== undefined) queue.resources.take(settings.demand);
    this.#settlement.running++;
    const first = node.attempt === 0;
    const args = first
      ? resolveArguments(node.args as unknown[], node.nestedFutures)
      : (node.args as unknown[]);
    const fn = node.fn as TaskFunction;
    // A task that may run again keeps its resolved arguments until it settles.
    node.args = settings !== undefined && settings.retries > 0 ? args : undefined;
    node.deps = undefined;
    if (this.events.has('task:start')) {
      this.events.emit('task:start', {
        id: node.id,
        name: node.name,
        queue: queue.name,
        time: performance.now(),
        attempt: node.attempt,
      });
    }
    const info = new RunningTaskInfo(node.id, node.name, node.attempt);
    // `open` until this attempt's outcome is decided: by the function, or first by its timeout.
    let open = true;
    let timer: NodeJS.Timeout | undefined;
    if (settings !== undefined) {
      settings.abortRunning = (reason) => info.abort(reason);
      if (settings.timeout !== undefined) {
        const timeout = settings.timeout;
        timer = setTimeout(() => {
          if (!open) return;
          open = false;
          const error = new TimeoutError(node, timeout);
          info.abort(error);
          this.#attemptFailed(node, error);
          this.dispatch();
        }, timeout);
      }
    }
    const ended = (ok: boolean, outcome: unknown): void => {
      if (timer !== undefined) clearTimeout(timer);
      const decides = open;
      open = false;
      this.#returned(node, ok && decides && settings?.hold === true);
      if (!decides) {
        this.#checkpoint(); // the outcome came earlier (a timeout); stop() may wait for this
        return;
      }
      if (ok) this.#finish(node, outcome);
      else this.#attemptFailed(node, asError(node, outcome));
    };
    const sink = node.stream === undefined ? undefined : this.#sinkFor(node, node.stream);
    let result: unknown;
    try {
      result = queue.executor.run(fn, args, info, sink);
    } catch (error) {
      ended(false, error);
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => {
          ended(true, value);
          this.dispatch();
        },
        (error: unknown) => {
          ended(false, error);
          this.dispatch();
        },
      );
    } else {
      ended(true, result);
    }
  }

  /** The function of a running task returned: its slot is free, unless the task now holds it. */
  #returned(node: TaskNode, holds: boolean): void {
    this.#settlement.running--;
    const settings = node.settings;
    if (settings !== undefined) settings.abortRunning = undefined;
    if (holds) (settings as TaskSettings).holding = true;
    else this.#freeSlot(node);
  }

  #freeSlot(node: TaskNode): void {
    const settings = node.settings;
    node.queue.occupants.remove(node);
    if (settings === undefined) return;
    settings.holding = false;
    if (settings.demand !== undefined) node.queue.resources.give(settings.demand);
  }

  /** An attempt failed: cancelled if the user aborted it, else retried while retries are left. */
  #attemptFailed(node: TaskNode, error: unknown): void {
    const settings = node.settings;
    if (settings?.aborted) {
      this.#cancelTask(node, new CancelledError(node, error));
    } else if (settings !== undefined && node.attempt < settings.retries) {
      this.#retry(node, error);
    } else {
      this.#fail(node, error);
    }
  }

  /**
   * Puts a failed task back among the ready ones for another attempt. A started task left the
   * walk, so it takes its place again by a re-ranking (the rare path, like cancellations).
   */
  #retry(node: TaskNode, error: unknown): void {
    if (this.events.has('task:retry')) {
      this.events.emit('task:retry', {
        id: node.id,
        name: node.name,
        queue: node.queue.name,
        time: performance.now(),
        attempt: node.attempt,
        error,
      });
    }
    node.attempt++;
    node.status = 'ready';
    node.queue.counts.running--;
    node.queue.counts.ready++;
    this.#unstarted.insertById(node);
    this.#ranking.dirty = true;
    node.lane.push(node);
    if (this.#started) this.#queueDispatch();
  }

  /** Receives a generator task's items: item i is done the moment it is yielded. */
  #sinkFor(node: TaskNode, stream: StreamState): ItemSink {
    return (value) => {
      const index = stream.values.length;
      if (stream.declared !== undefined && index >= stream.declared) {
        stream.surplus = true;
        return false;
      }
      stream.values.push(value);
      if (this.events.has('task:item')) {
        this.events.emit('task:item', {
          id: node.id,
          name: node.name,
          queue: node.queue.name,
          time: performance.now(),
          index,
        });
      }
      const item = stream.items?.[index];
      if (item !== undefined && item.status === 'waiting') {
        item.status = 'done';
        item.outcome = value;
        this.#notify(item);
        releaseDependents(item, this.#readyNow);
      }
      stream.changed();
      if (this.#started) this.#queueDispatch();
      return true;
    };
  }

  #finish(node: TaskNode, value: unknown): void {
    const stream = node.stream;
    if (stream !== undefined) {
      const count = stream.values.length;
      if (stream.surplus || (stream.declared !== undefined && count !== stream.declared)) {
        this.#fail(
          node,
          new StreamCountError(node, stream.declared as number, count, stream.surplus),
        );
        return;
      }
    }
    node.outcome = stream === undefined ? value : stream.values;
    this.#leave(node, 'done');
    releaseDependents(node, this.#readyNow);
    this.#notify(node);
    if (stream !== undefined) this.#endStream(node, stream);
    this.#checkpoint();
  }

  #fail(node: TaskNode, error: unknown): void {
    node.outcome = error;
    this.#leave(node, 'failed');
    this.#settlement.failed(error);
    if (this.failFast) this.#halted = true;
    const dependents = node.dependents;
    node.dependents = undefined;
    this.#notify(node);
    if (dependents !== undefined) this.#cancel(node, dependents);
    if (node.stream !== undefined) this.#endStream(node, node.stream);
    this.#checkpoint();
  }

  /**
   * Settles the items the generator never yielded: past the end of a done stream they fail
   * with `IndexError` (not a task failure); after a failure they take the generator's error.
   */
  #endStream(node: TaskNode, stream: StreamState): void {
    const count = stream.values.length;
    for (const item of stream.pendingItems(count)) {
      item.status = 'failed';
      item.outcome =
        node.status === 'done' ? new IndexError(node, item.index, count) : node.outcome;
      const dependents = item.dependents;
      item.dependents = undefined;
      this.#notify(item);
      if (dependents !== undefined) this.#cancel(item, dependents);
    }
    stream.changed();
  }

  /** A running task's outcome is decided (its function may still be finishing after a timeout). */
  #leave(node: TaskNode, status: 'done' | 'failed' | 'cancelled'): void {
    node.status = status;
    const counts = node.queue.counts;
    counts.running--;
    counts[status]++;
    node.fn = undefined;
    node.args = undefined;
    this.#settlement.unsettled--;
  }

  /** Cancels the dependents of a failed or cancelled node (see `cancelDependents`). */
  #cancel(failed: TaskNode, dependents: TaskNode[]): void {
    if (cancelDependents(failed, dependents, this.#cancelled)) this.#ranking.dirty = true;
  }

  /** Ranks every unstarted task afresh and re-sorts the ready heaps. */
  #rerank(): void {
    this.#ranking.rerank(this.#unstarted.newest);
    for (const queue of this.queues) for (const heap of queue.heaps()) heap.rebuild();
  }

  #countCancelled(node: TaskNode): void {
    if (isTask(node)) {
      this.#unstarted.remove(node);
      node.queue.counts.waiting--;
      node.queue.counts.cancelled++;
      this.#settlement.unsettled--;
    }
    this.#notify(node);
  }

  /** Follows the user's signal: cancels the task before it starts, aborts it while it runs. */
  #listen(node: TaskNode, settings: TaskSettings, signal: AbortSignal): void {
    if (signal.aborted) {
      this.#abort(node, signal.reason);
      return;
    }
    const onAbort = (): void => this.#abort(node, signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    settings.unlisten = () => signal.removeEventListener('abort', onAbort);
  }

  #abort(node: TaskNode, reason: unknown): void {
    const settings = node.settings as TaskSettings;
    if (node.status === 'running') {
      settings.aborted = true;
      settings.abortRunning?.(reason);
    } else if (isUnstarted(node)) {
      this.#cancelTask(node, new CancelledError(node, reason));
      if (this.#started) this.#queueDispatch();
    }
  }

  /** Cancels one task (aborted by its user), and everything depending on it. */
  #cancelTask(node: TaskNode, error: CancelledError): void {
    const counts = node.queue.counts;
    if (node.status === 'running') {
      node.outcome = error;
      this.#leave(node, 'cancelled');
    } else {
      if (node.status === 'ready') {
        node.lane.remove(node);
        counts.ready--;
      } else {
        counts.waiting--;
      }
      if (node.deps?.some(isUnstarted)) this.#ranking.dirty = true;
      this.#unstarted.remove(node);
      node.status = 'cancelled';
      node.outcome = error;
      counts.cancelled++;
      node.fn = undefined;
      node.args = undefined;
      node.deps = undefined;
      this.#settlement.unsettled--;
    }
    const dependents = node.dependents ?? [];
    node.dependents = undefined;
    this.#notify(node);
    const items = node.stream === undefined ? [] : [...node.stream.pendingItems(0)];
    this.#cancel(node, dependents.concat(items));
    this.#checkpoint();
  }

  /** Tells the node's listeners (its futures' promises) and the event listeners it settled. */
  #notify(node: TaskNode): void {
    const listeners = node.listeners;
    if (listeners !== undefined) {
      node.listeners = undefined;
      for (const listener of listeners) listener(node);
    }
    if (!isTask(node)) return;
    const settings = node.settings;
    if (settings !== undefined) this.#settledWithOptions(settings);
    if (this.events.has('task:end')) {
      this.events.emit('task:end', {
        id: node.id,
        name: node.name,
        queue: node.queue.name,
        time: performance.now(),
        status: node.status as 'done' | 'failed' | 'cancelled',
        attempt: node.attempt,
        ...(node.status === 'done' ? {} : { error: node.outcome }),
      });
    }
  }

  /** A task with options settled: stop following its signal, free the slots it releases. */
  #settledWithOptions(settings: TaskSettings): void {
    settings.unlisten?.();
    settings.unlisten = undefined;
    const released = settings.releases;
    if (released === undefined) return;
    settings.releases = undefined;
    for (const held of released) {
      if (held.settings?.holding) this.#freeSlot(held);
    }
    if (this.#started) this.#queueDispatch();
  }

  /** Rejects the current `wait()` callers: tasks remain, none runs and none can ever start. */
  #deadlock(): void {
    const stuck: (Explanation & { waitsFor: string })[] = [];
    for (const node of this.#unstarted) {
      const why = explainTask(node, this.#started, this.#halted);
      stuck.push({ ...why, waitsFor: why.message });
      if (stuck.length >= 50) break;
    }
    this.#settlement.rejectWaiters(new DeadlockError(stuck));
  }

  /** After tasks settled: wakes `stop()` and `wait()` callers, and says when all is idle. */
  #checkpoint(): void {
    const quiet = this.#isQuiet();
    if (quiet && this.#settlement.unsettled === 0 && this.events.has('idle')) {
      this.events.emit('idle', { time: performance.now() });
    }
    this.#settlement.checkpoint(quiet);
  }
}
