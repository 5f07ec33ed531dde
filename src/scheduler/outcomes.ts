import { CancelledError, IndexError, StreamCountError, StreamReplayError } from '../errors.js';
import type { ItemSink } from '../executors/drive-generator.js';
import { cancelDependents, isTask, releaseDependents } from '../graph/propagate.js';
import type { StreamState } from '../graph/stream-state.js';
import type { TaskList } from '../graph/task-list.js';
import { isUnstarted, type TaskNode } from '../graph/task-node.js';
import type { TaskSettings } from '../graph/task-settings.js';
import type { EventHub } from '../observe/events.js';
import type { SpanEnding } from '../observe/timeline.js';
import type { TaskRecorder } from '../observe/timeline-recorder.js';
import type { OrderPolicy } from '../order/order-policy.js';
import type { Settlement } from './settlement.js';

/** What the outcome side needs of the engine. */
export interface EngineContext {
  readonly events: EventHub;
  readonly recorder: TaskRecorder | undefined;
  readonly settlement: Settlement;
  readonly unstarted: TaskList;
  readonly order: OrderPolicy;
  readonly failFast: boolean;
  readonly started: boolean;
  /** Starts no task until `start()` (failFast after a failure). */
  halt(): void;
  queueDispatch(): void;
  makeReady(node: TaskNode, newest: boolean): void;
  /** Wakes `stop()` and `wait()` callers as the counts allow. */
  checkpoint(): void;
}

/**
 * How tasks end: done, failed (or retried), cancelled; and what each ending does to
 * dependents, generator items, held slots and counts. The engine decides when a task runs;
 * this decides what its ending means.
 */
export class Outcomes {
  readonly #ctx: EngineContext;
  readonly #readyNow = (node: TaskNode): void => this.#ctx.makeReady(node, false);
  readonly #cancelled = (node: TaskNode): void => this.countCancelled(node);

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
  }

  /** An attempt failed: cancelled if the user aborted it, else retried while retries are left. */
  attemptFailed(node: TaskNode, error: unknown): void {
    const settings = node.settings;
    if (settings?.aborted) {
      this.cancelTask(node, new CancelledError(node, error));
    } else if (settings !== undefined && node.attempt < settings.retries) {
      this.#retry(node, error);
    } else {
      this.fail(node, error);
    }
  }

  /**
   * Puts a failed task back among the ready ones for another attempt. A started task left the
   * walk, so it takes its place again by a re-ranking (the rare path, like cancellations).
   */
  #retry(node: TaskNode, error: unknown): void {
    if (this.#ctx.events.has('task:retry')) {
      this.#ctx.events.emit('task:retry', {
        id: node.id,
        name: node.name,
        queue: node.queue.name,
        time: performance.now(),
        attempt: node.attempt,
        error,
      });
    }
    this.#ctx.recorder?.ended(node, 'retried');
    node.attempt++;
    node.status = 'ready';
    node.queue.counts.running--;
    node.queue.counts.ready++;
    this.#ctx.unstarted.insertById(node);
    this.#ctx.order.invalidate();
    node.lane.push(node, false);
    if (this.#ctx.started) this.#ctx.queueDispatch();
    // The attempt ended: a stop() waiting for the running tasks may now resolve.
    this.#ctx.checkpoint();
  }

  /**
   * Receives a generator task's items: item i is done the moment it is yielded. A retried
   * generator starts over: the items its earlier attempts delivered stay as they were (their
   * dependents may have run), so the new attempt's first items are skipped up to that count,
   * like a streaming generator retried in Ray. An attempt that is no longer the task's current
   * one (it ran past its timeout) adds nothing and is told to stop.
   */
  sinkFor(node: TaskNode, stream: StreamState): ItemSink {
    const attempt = node.attempt;
    stream.replay = stream.values.length;
    return (value) => {
      if (node.attempt !== attempt || node.status !== 'running') return false;
      if (stream.replay > 0) {
        stream.replay--;
        return true;
      }
      const index = stream.values.length;
      if (stream.declared !== undefined && index >= stream.declared) {
        stream.surplus = true;
        return false;
      }
      stream.values.push(value);
      this.#ctx.recorder?.item(node, index);
      if (this.#ctx.events.has('task:item')) {
        this.#ctx.events.emit('task:item', {
          id: node.id,
          name: node.name,
          queue: node.queue.name,
          time: performance.now(),
          index,
        });
      }
      const item = stream.yielded(index);
      if (item !== undefined && item.status === 'waiting') {
        item.status = 'done';
        item.outcome = value;
        this.notify(item);
        releaseDependents(item, this.#readyNow);
      }
      stream.changed();
      if (this.#ctx.started) this.#ctx.queueDispatch();
      return true;
    };
  }

  finish(node: TaskNode, value: unknown): void {
    const stream = node.stream;
    if (stream !== undefined) {
      const count = stream.values.length;
      if (stream.replay > 0) {
        this.fail(node, new StreamReplayError(node, node.attempt, count - stream.replay, count));
        return;
      }
      if (stream.surplus || (stream.declared !== undefined && count !== stream.declared)) {
        this.fail(
          node,
          new StreamCountError(
            node,
            stream.declared as number,
            stream.surplus ? count + 1 : count,
            stream.surplus,
          ),
        );
        return;
      }
    }
    node.outcome = stream === undefined ? value : stream.values;
    this.#leave(node, 'done');
    releaseDependents(node, this.#readyNow);
    this.notify(node);
    if (stream !== undefined) this.#endStream(node, stream);
    this.#ctx.checkpoint();
  }

  fail(node: TaskNode, error: unknown): void {
    // A task that fails does not hold: a held generator whose function returned (so it took
    // its hold) fails here when its stream does not add up, and must give its slot back.
    if (node.settings?.holding) node.queue.vacate(node);
    node.outcome = error;
    this.#leave(node, 'failed');
    this.#ctx.settlement.failed(error);
    if (this.#ctx.failFast) this.#ctx.halt();
    const dependents = node.dependents;
    node.dependents = undefined;
    this.notify(node);
    if (dependents !== undefined) this.#cancel(node, dependents);
    if (node.stream !== undefined) this.#endStream(node, node.stream);
    this.#ctx.checkpoint();
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
        node.status === 'done' || node.outcome instanceof StreamCountError
          ? new IndexError(node, item.index, count)
          : node.outcome;
      const dependents = item.dependents;
      item.dependents = undefined;
      this.notify(item);
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
    this.#ctx.settlement.unsettled--;
  }

  /** Cancels the dependents of a failed or cancelled node (see `cancelDependents`). */
  #cancel(failed: TaskNode, dependents: TaskNode[]): void {
    if (cancelDependents(failed, dependents, this.#cancelled)) this.#ctx.order.invalidate();
  }

  countCancelled(node: TaskNode): void {
    if (isTask(node)) {
      this.#ctx.unstarted.remove(node);
      node.queue.counts.waiting--;
      node.queue.counts.cancelled++;
      this.#ctx.settlement.unsettled--;
    }
    this.notify(node);
  }

  /** Cancels one task (aborted by its user), and everything depending on it. */
  cancelTask(node: TaskNode, error: CancelledError): void {
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
      if (node.deps?.some(isUnstarted)) this.#ctx.order.invalidate();
      this.#ctx.unstarted.remove(node);
      node.status = 'cancelled';
      node.outcome = error;
      counts.cancelled++;
      node.fn = undefined;
      node.args = undefined;
      node.deps = undefined;
      this.#ctx.settlement.unsettled--;
    }
    const dependents = node.dependents ?? [];
    node.dependents = undefined;
    this.notify(node);
    const items = node.stream === undefined ? [] : [...node.stream.pendingItems(0)];
    this.#cancel(node, dependents.concat(items));
    this.#ctx.checkpoint();
  }

  /** Tells the node's listeners (its futures' promises) and the event listeners it settled. */
  notify(node: TaskNode): void {
    const listeners = node.listeners;
    if (listeners !== undefined) {
      node.listeners = undefined;
      for (const listener of listeners) listener(node);
    }
    if (!isTask(node)) return;
    this.#ctx.recorder?.ended(node, node.status as SpanEnding);
    const settings = node.settings;
    if (settings !== undefined) this.#settledWithOptions(settings);
    if (this.#ctx.events.has('task:end')) {
      this.#ctx.events.emit('task:end', {
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
      const heldSettings = held.settings;
      if (heldSettings === undefined) continue;
      heldSettings.released = true; // a held task still running must not start holding later
      if (heldSettings.holding) held.queue.vacate(held);
    }
    if (this.#ctx.started) this.#ctx.queueDispatch();
  }
}
