import { IndexError, NonErrorThrown, StreamCountError } from '../errors.js';
import type { ItemSink } from '../executors/drive-generator.js';
import { ArgumentScan, resolveArguments } from '../futures/arguments.js';
import { cancelDependents, isTask, releaseDependents } from '../graph/propagate.js';
import { Ranking } from '../graph/ranking.js';
import type { StreamState } from '../graph/stream-state.js';
import { type TaskFunction, TaskNode } from '../graph/task-node.js';
import { UnstartedList } from '../graph/unstarted-list.js';
import type { EventHub } from '../observe/events.js';
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
 * The core of a scheduler: task records, the dispatch loop, completion and failure.
 *
 * Invariant: a dispatch pass starts every startable task (or yields after a time slice and
 * schedules another pass), so after a pass nothing startable is left waiting for a slot.
 */
export class Engine {
  readonly queues: QueueState[] = [];
  readonly events: EventHub;
  readonly failFast: boolean;
  readonly #ranking = new Ranking();
  readonly #scan = new ArgumentScan();
  readonly #settlement = new Settlement();
  readonly #unstarted = new UnstartedList();
  #nextId = 1;
  #started = false;
  #halted = false;
  #dispatching = false;
  #dispatchQueued = false;
  readonly #moved = (node: TaskNode): void => node.queue.heap.improved(node);
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
   * `stream` is given for a generator task.
   */
  submit(
    queue: QueueState,
    fn: TaskFunction,
    args: unknown[],
    name: string,
    stream?: StreamState,
  ): TaskNode {
    const scan = this.#scan;
    scan.scan(args, this, name);
    const deps = scan.deps;
    scan.deps = undefined; // the scan object is reused: it must not keep these tasks alive
    const node = new TaskNode(this.#nextId++, name, queue, fn, args, scan.nested, deps);
    node.stream = stream;
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
    return this.#settlement.wait(this.#isQuiet());
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
        if (this.#ranking.dirty) this.#rerank();
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
    this.#settlement.running++;
    this.#unstarted.remove(node);
    this.#ranking.started(node);
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
    const sink = node.stream === undefined ? undefined : this.#sinkFor(node, node.stream);
    let result: unknown;
    try {
      result = queue.executor.run(fn, args, info, sink);
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

  /** A running task ends: frees its slot. */
  #leave(node: TaskNode, status: 'done' | 'failed'): void {
    node.status = status;
    const counts = node.queue.counts;
    counts.running--;
    if (status === 'done') counts.done++;
    else counts.failed++;
    node.fn = undefined;
    this.#settlement.running--;
    this.#settlement.unsettled--;
  }

  /** Cancels the dependents of a failed or cancelled node (see `cancelDependents`). */
  #cancel(failed: TaskNode, dependents: TaskNode[]): void {
    if (cancelDependents(failed, dependents, this.#cancelled)) this.#ranking.dirty = true;
  }

  /** Ranks every unstarted task afresh and re-sorts the ready heaps. */
  #rerank(): void {
    this.#ranking.rerank(this.#unstarted.newest);
    for (const queue of this.queues) queue.heap.rebuild();
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

  /** Tells the node's listeners (its futures' promises) and the event listeners it settled. */
  #notify(node: TaskNode): void {
    const listeners = node.listeners;
    if (listeners !== undefined) {
      node.listeners = undefined;
      for (const listener of listeners) listener(node);
    }
    if (isTask(node) && this.events.has('task:end')) {
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

  /** After tasks settled: wakes `stop()` and `wait()` callers, and says when all is idle. */
  #checkpoint(): void {
    const quiet = this.#isQuiet();
    if (quiet && this.#settlement.unsettled === 0 && this.events.has('idle')) {
      this.events.emit('idle', { time: performance.now() });
    }
    this.#settlement.checkpoint(quiet);
  }
}
