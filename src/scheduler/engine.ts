import { isPromise } from 'node:util/types';
import {
  ArgumentError,
  CancelledError,
  DeadlockError,
  NonErrorThrown,
  type TaskLabel,
  TimeoutError,
  textOf,
} from '../errors.js';
import { ArgumentScan, resolveArguments } from '../futures/arguments.js';
import { type Future, nodeOf } from '../futures/future.js';
import { cancelDependents } from '../graph/propagate.js';
import type { StreamState } from '../graph/stream-state.js';
import { TaskList } from '../graph/task-list.js';
import { isUnstarted, type TaskFunction, TaskNode } from '../graph/task-node.js';
import type { TaskSettings } from '../graph/task-settings.js';
import type { EventHub } from '../observe/events.js';
import { type Explanation, explainTask } from '../observe/explain.js';
import type { TaskRecorder } from '../observe/timeline-recorder.js';
import { NewestFirst } from '../order/newest-first.js';
import type { OrderPolicy } from '../order/order-policy.js';
import type { QueueState } from '../queues/queue-state.js';
import { type AwaitWatcher, RunningTaskInfo } from './current-task.js';
import { type EngineContext, Outcomes } from './outcomes.js';
import { Settlement } from './settlement.js';

/** How long one dispatch pass may run synchronous tasks before it gives the event loop back. */
const SLICE_MS = 8;

const nativeThen = Promise.prototype.then;

/**
 * What a task's function returned, as something to wait for: `undefined` for a plain value, the
 * promise itself for a native promise, and for any other thenable a promise that calls its
 * `then` once and takes only its first settlement, as `await` does. A `then` getter or method
 * that throws gives a rejected promise: the task fails with that error.
 */
function pendingOutcome(value: unknown): PromiseLike<unknown> | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return;
  let then: unknown;
  try {
    then = (value as { then?: unknown }).then;
  } catch (error) {
    return Promise.reject(error);
  }
  if (typeof then !== 'function') return;
  if (then === nativeThen && isPromise(value)) return value as Promise<unknown>;
  return new Promise((resolve, reject) => {
    (then as (ok: (v: unknown) => void, fail: (e: unknown) => void) => unknown).call(
      value,
      resolve,
      reject,
    );
  });
}

/** A thrown value's message if it is an Error, else the value itself, as text. */
function messageOrValue(thrown: unknown): string {
  return String(thrown instanceof Error ? thrown.message : thrown);
}

function asError(node: TaskNode, thrown: unknown): unknown {
  return thrown instanceof Error ? thrown : new NonErrorThrown(node, thrown);
}

/** A timed-out attempt whose function has not returned. */
interface Lingering {
  /** The stand-in that keeps its slot. */
  readonly node: TaskNode;
  /** When it timed out (performance.now()). */
  readonly since: number;
  readonly timeout: number;
  /** True once it lingered as long again: it counts as blocked. */
  readonly stuck: boolean;
  readonly check?: NodeJS.Timeout;
}

/**
 * The core of a scheduler: task records, the dispatch loop, each attempt's life, completion,
 * failure, retries, holds and cancellation.
 *
 * Invariant: a dispatch pass starts every startable task (or yields after a time slice and
 * schedules another pass), so after a full pass nothing startable is left waiting; if then
 * nothing runs either while tasks remain, nothing ever will: a deadlock.
 */
export class Engine implements EngineContext, AwaitWatcher {
  readonly queues: QueueState[] = [];
  readonly events: EventHub;
  readonly failFast: boolean;
  /** Records spans for `sch.timeline()`; undefined with `record: false`. */
  readonly recorder: TaskRecorder | undefined;
  /** Which ready task starts first (docs/ordering.md). */
  readonly order: OrderPolicy = new NewestFirst();
  readonly settlement = new Settlement();
  readonly unstarted = new TaskList();
  readonly #outcomes: Outcomes;
  readonly #scan = new ArgumentScan();
  /** Running attempts that await unsettled tasks of this scheduler, with the last awaited. */
  readonly #blocked = new Map<RunningTaskInfo, TaskNode>();
  /** Attempts that timed out while their function runs on. */
  readonly #lingering = new Map<RunningTaskInfo, Lingering>();
  #nextId = 1;
  #started = false;
  #halted = false;
  #dispatching = false;
  #dispatchQueued = false;
  readonly #countCancelled = (node: TaskNode): void => this.#outcomes.countCancelled(node);
  readonly #dispatchNow = (): void => {
    this.#dispatchQueued = false;
    this.dispatch();
  };

  constructor(
    events: EventHub,
    failFast: boolean,
    recorder?: (queues: QueueState[]) => TaskRecorder,
  ) {
    this.events = events;
    this.failFast = failFast;
    this.recorder = recorder?.(this.queues);
    this.#outcomes = new Outcomes(this);
  }

  get started(): boolean {
    return this.#started;
  }

  halt(): void {
    this.#halted = true;
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
    try {
      scan.scan(args, this, name);
    } catch (error) {
      scan.deps = undefined;
      if (error instanceof TypeError && scan.refused) throw error;
      throw new TypeError(
        `Expected the arguments of task \`${name}\` to be readable, but reading them threw: ${textOf(error, messageOrValue)}. Pass plain data (no throwing getters or revoked Proxies).`,
        { cause: error },
      );
    }
    if (extraDeps !== undefined) scan.addDeps(extraDeps);
    const deps = scan.deps;
    scan.deps = undefined; // the scan object is reused: it must not keep these tasks alive
    const node = new TaskNode(this.#nextId++, name, queue, fn, args, scan.nested, deps);
    node.stream = stream;
    node.settings = settings;
    this.recorder?.submitted(node);
    this.settlement.unsettled++;
    queue.counts.waiting++;
    if (deps !== undefined) {
      for (const dep of deps) {
        const status = dep.status;
        if (status === 'done') continue;
        if (status === 'failed' || status === 'cancelled') {
          cancelDependents(dep, [node], this.#countCancelled);
          this.checkpoint();
          return node;
        }
        if (dep.dependents === undefined) dep.dependents = [node];
        else dep.dependents.push(node);
        node.pending++;
      }
    }
    this.unstarted.add(node);
    this.order.submitted(node);
    if (node.pending === 0) this.makeReady(node, true);
    if (settings?.signal !== undefined) this.#listen(node, settings, settings.signal);
    if (this.#started) this.queueDispatch();
    return node;
  }

  start(): void {
    this.#started = true;
    this.#halted = false;
    this.queueDispatch();
  }

  stop(): Promise<void> {
    this.#started = false;
    return this.settlement.whenNothingRuns();
  }

  wait(): Promise<void> {
    const quiet = this.#isQuiet();
    const waiting = this.settlement.wait(quiet);
    if (!quiet && this.#started) this.queueDispatch(); // a pass also looks for deadlocks
    return waiting;
  }

  /** Why `node` is not running now (see `Scheduler.explain`). */
  explain(node: TaskNode): Explanation {
    return explainTask(node, this.#started, this.#halted);
  }

  /** All settled, or halted by failFast with nothing running. */
  #isQuiet(): boolean {
    const s = this.settlement;
    return s.unsettled === 0 || (this.#halted && s.running === 0);
  }

  queueDispatch(): void {
    if (this.#dispatchQueued || this.#dispatching) return;
    this.#dispatchQueued = true;
    queueMicrotask(this.#dispatchNow);
  }

  /** `newest`: the task was just submitted, so it ranks before every other. */
  makeReady(node: TaskNode, newest: boolean): void {
    node.status = 'ready';
    const counts = node.queue.counts;
    counts.waiting--;
    counts.ready++;
    node.lane.push(node, newest);
  }

  /** Starts startable tasks, first in the dispatch order first, until none is left. */
  dispatch(): void {
    if (this.#dispatching || !this.#started || this.#halted) return;
    this.#dispatching = true;
    const queues = this.queues;
    const order = this.order;
    const deadline = performance.now() + SLICE_MS;
    // Reading the clock costs about as much as a trivial task, so it is read every task while
    // tasks are slow and ever more rarely (up to every 256th) while they are fast.
    let checkEvery = 1;
    let sinceCheck = 0;
    let lastCheck = 0;
    let finished = false;
    try {
      while (this.#started && !this.#halted) {
        if (this.order.stale) this.#refreshOrder();
        let best: TaskNode | undefined;
        for (let q = 0; q < queues.length; q++) {
          const head = (queues[q] as QueueState).firstStartable();
          if (head !== undefined && (best === undefined || order.precedes(head, best))) best = head;
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
    const s = this.settlement;
    // Blocked attempts (awaiting this scheduler's tasks, or stuck after a timeout) make no
    // progress by themselves: if every running one is blocked, nothing ever will.
    if (finished && s.running === s.blocked && s.unsettled > 0 && this.#started && !this.#halted) {
      this.#deadlock();
    }
  }

  #run(node: TaskNode): void {
    const queue = node.queue;
    const settings = node.settings;
    node.status = 'running';
    queue.counts.ready--;
    queue.counts.running++;
    this.unstarted.remove(node);
    this.order.started(node);
    queue.occupy(node);
    this.settlement.running++;
    let args = node.args as unknown[];
    if (node.attempt === 0) {
      try {
        args = resolveArguments(args, node.nestedFutures);
      } catch (error) {
        // Nothing ran: the task fails as it starts, without retries (the arguments stay bad).
        this.#announce(node);
        this.settlement.running--;
        queue.vacate(node);
        this.#outcomes.fail(node, new ArgumentError(node, error));
        return;
      }
    }
    const fn = node.fn as TaskFunction;
    // A task that may run again keeps its resolved arguments until it settles.
    node.args = settings !== undefined && settings.retries > 0 ? args : undefined;
    node.deps = undefined;
    const info = new RunningTaskInfo(node.id, node.name, node.attempt);
    info.watcher = this;
    if (settings === undefined && node.stream === undefined) {
      this.#announce(node);
      this.#runPlain(node, fn, args, info);
      return;
    }
    // `open` until this attempt's outcome is decided: by the function, or first by its timeout.
    let open = true;
    let timer: NodeJS.Timeout | undefined;
    // Set when the attempt timed out: holds its slot and resources until the function returns.
    let standIn: TaskNode | undefined;
    const abortThis = (reason: unknown): void => info.abort(reason);
    if (settings !== undefined) {
      settings.abortRunning = abortThis;
      if (settings.timeout !== undefined) {
        const timeout = settings.timeout;
        timer = setTimeout(() => {
          if (!open) return;
          open = false;
          standIn = queue.standIn(node);
          this.#linger(info, standIn, timeout);
          const error = new TimeoutError(node, timeout);
          info.abort(error);
          this.#outcomes.attemptFailed(node, error);
          this.dispatch();
        }, timeout);
      }
    }
    const ended = (ok: boolean, outcome: unknown): void => {
      if (timer !== undefined) clearTimeout(timer);
      const decides = open;
      open = false;
      if (settings?.abortRunning === abortThis) settings.abortRunning = undefined;
      if (standIn !== undefined) {
        this.#unlinger(info);
        this.#returned(standIn, false, info);
      } else {
        const holds = ok && decides && settings?.hold === true && !settings.released;
        this.#returned(node, holds, info);
      }
      if (!decides) {
        this.checkpoint(); // the outcome came earlier (a timeout); stop() may wait for this
        return;
      }
      if (ok) this.#outcomes.finish(node, outcome);
      else this.#outcomes.attemptFailed(node, asError(node, outcome));
    };
    // Announced once the abort hook is in place: a `task:start` listener may abort the task.
    this.#announce(node);
    const sink = node.stream === undefined ? undefined : this.#outcomes.sinkFor(node, node.stream);
    let result: unknown;
    try {
      result = queue.executor.run(fn, args, info, sink);
    } catch (error) {
      ended(false, error);
      return;
    }
    const later = pendingOutcome(result);
    if (later !== undefined) {
      later.then(
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

  /** Tells the `task:start` listeners and the recorder that a task starts. */
  #announce(node: TaskNode): void {
    if (this.events.has('task:start')) {
      this.events.emit('task:start', {
        id: node.id,
        name: node.name,
        queue: node.queue.name,
        time: performance.now(),
        attempt: node.attempt,
      });
    }
    this.recorder?.started(node);
  }

  /**
   * Runs a task without options and not a generator: no timeout, abort hook or hold to look
   * after, so no per-attempt closures (the common case, and the one whose cost per task the
   * benchmarks measure). Ends as `#run`'s `ended` would with no settings.
   */
  #runPlain(node: TaskNode, fn: TaskFunction, args: unknown[], info: RunningTaskInfo): void {
    let result: unknown;
    try {
      result = node.queue.executor.run(fn, args, info);
    } catch (error) {
      this.#plainEnded(node, false, error, info);
      return;
    }
    const later = pendingOutcome(result);
    if (later !== undefined) {
      later.then(
        (value) => {
          this.#plainEnded(node, true, value, info);
          this.dispatch();
        },
        (error: unknown) => {
          this.#plainEnded(node, false, error, info);
          this.dispatch();
        },
      );
    } else {
      this.#plainEnded(node, true, result, info);
    }
  }

  /** A plain task's function returned (`ok`) or threw: its slot is free, its outcome decided. */
  #plainEnded(node: TaskNode, ok: boolean, outcome: unknown, info: RunningTaskInfo): void {
    this.#returned(node, false, info);
    if (ok) this.#outcomes.finish(node, outcome);
    else this.#outcomes.attemptFailed(node, asError(node, outcome));
  }

  /** The function of a running task returned: its slot is free, unless the task now holds it. */
  #returned(node: TaskNode, holds: boolean, info: RunningTaskInfo): void {
    this.#stopCountingAwaits(info);
    this.settlement.running--;
    const settings = node.settings;
    if (holds) (settings as TaskSettings).holding = true;
    else node.queue.vacate(node);
  }

  /**
   * A running task began to await `future` (see `Future.then`): while it awaits unsettled
   * tasks of this scheduler it counts as blocked, so tasks that await tasks needing their own
   * slots are seen as the deadlock they are.
   */
  awaiting(info: RunningTaskInfo, future: object): void {
    if (info.ended) return;
    const node = nodeOf(future as Future<unknown>);
    if (node.queue.owner !== this) return;
    if (info.awaitCount++ === 0) {
      this.settlement.blocked++;
      this.#blocked.set(info, node);
    }
    info.awaited = node;
    node.onSettle(() => {
      if (info.ended || --info.awaitCount > 0) return;
      this.settlement.blocked--;
      this.#blocked.delete(info);
    });
    if (this.#started) this.queueDispatch(); // the pass looks for a deadlock
  }

  /** The attempt's function returned or timed out: its awaits no longer count. */
  #stopCountingAwaits(info: RunningTaskInfo): void {
    if (info.ended) return;
    info.ended = true;
    if (info.awaitCount === 0) return;
    info.awaitCount = 0;
    this.settlement.blocked--;
    this.#blocked.delete(info);
  }

  /**
   * An attempt timed out while its function runs on, keeping its slot. `stop()` and `close()`
   * no longer wait for it; if its function has still not returned after as long again, it
   * counts as blocked, so a `wait()` that nothing else can end rejects with `DeadlockError`.
   */
  #linger(info: RunningTaskInfo, standIn: TaskNode, timeout: number): void {
    this.#stopCountingAwaits(info);
    this.settlement.lingering++;
    const since = performance.now();
    const check = setTimeout(() => {
      this.#lingering.set(info, { node: standIn, since, timeout, stuck: true });
      this.settlement.blocked++;
      if (this.#started) this.dispatch();
      else this.checkpoint();
    }, timeout); // kept referenced: a wait() pending on it must get its answer
    this.#lingering.set(info, { node: standIn, since, timeout, stuck: false, check });
  }

  /** The function of a timed-out attempt returned at last. */
  #unlinger(info: RunningTaskInfo): void {
    const lingering = this.#lingering.get(info);
    if (lingering === undefined) return;
    this.#lingering.delete(info);
    this.settlement.lingering--;
    if (lingering.stuck) this.settlement.blocked--;
    else clearTimeout(lingering.check);
  }

  /** Restores the order of every unstarted task (after a cancellation cut the walk). */
  #refreshOrder(): void {
    const lanes = this.queues.flatMap((queue) => [...queue.heaps()]);
    this.order.refresh(this.unstarted, lanes);
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
      this.#outcomes.cancelTask(node, new CancelledError(node, reason));
      if (this.#started) this.queueDispatch();
    }
  }

  /** Rejects the current `wait()` callers: tasks remain, none runs and none can ever start. */
  #deadlock(): void {
    const stuck: (TaskLabel & { waitsFor: string })[] = [];
    for (const [info, { node, since, timeout, stuck: isStuck }] of this.#lingering) {
      if (!isStuck) continue;
      const ago = Math.round(performance.now() - since);
      stuck.push({
        id: info.id,
        name: info.name,
        waitsFor: `Task ${info.id} (${info.name}) timed out after ${timeout} ms and its function has not returned in the ${ago} ms since; it keeps its slot of queue ${node.queue.name}, so make it watch currentTask().signal.`,
      });
    }
    for (const [info, awaited] of this.#blocked) {
      stuck.push({
        id: info.id,
        name: info.name,
        waitsFor: `Task ${info.id} (${info.name}) is running and awaits task ${awaited.id} (${awaited.name}), which cannot start while its awaiting tasks keep their slots; submit it before, not from inside, the task that awaits it, or give its queue more slots.`,
      });
    }
    for (const node of this.unstarted) {
      const why = explainTask(node, this.#started, this.#halted);
      stuck.push({ ...why, waitsFor: why.message });
      if (stuck.length >= 50) break;
    }
    this.settlement.rejectWaiters(new DeadlockError(stuck));
  }

  /** After tasks settled: wakes `stop()` and `wait()` callers, and says when all is idle. */
  checkpoint(): void {
    if (this.settlement.unsettled === 0 && this.events.has('idle')) {
      this.events.emit('idle', { time: performance.now() });
    }
    // Read after the listeners ran: an `idle` listener may have submitted more work.
    this.settlement.checkpoint(this.#isQuiet());
  }
}
