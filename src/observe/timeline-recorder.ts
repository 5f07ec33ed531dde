import { performance } from 'node:perf_hooks';
import type { TaskNode } from '../graph/task-node.js';
import type { QueueState } from '../queues/queue-state.js';
import { SpanCode, type SpanEnding, TaskCode, Timeline, type TimelineColumns } from './timeline.js';

/**
 * What the core tells a recorder, at the few places where a task's life changes. The engine
 * calls it directly (no event objects), and nothing in it may throw or wait.
 */
export interface TaskRecorder {
  /** A task was submitted (its `deps` are set; it may be cancelled at once after this). */
  submitted(node: TaskNode): void;
  /** An attempt of a task starts running. */
  started(node: TaskNode): void;
  /** An attempt ended: the task settled, or (`retried`) it will run again. */
  ended(node: TaskNode, ending: SpanEnding): void;
  /** A generator task yielded item `index`. */
  item(node: TaskNode, index: number): void;
}

function grownF64(a: Float64Array<ArrayBuffer>, need: number): Float64Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Float64Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

function grownI32(a: Int32Array<ArrayBuffer>, need: number): Int32Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

function grownU8(a: Uint8Array<ArrayBuffer>, need: number): Uint8Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Uint8Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

function grownU16(a: Uint16Array<ArrayBuffer>, need: number): Uint16Array<ArrayBuffer> {
  if (need <= a.length) return a;
  const b = new Uint16Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

const INITIAL = 256;
/** Task flag: another task depends on this one (so it is not a final result). */
const DEPENDED = 1;

/**
 * Records task spans, dependencies and generator items in compact columns (typed arrays that
 * double as they fill), so that recording can stay on by default: per task it costs two clock
 * reads and a few array writes, and no object.
 *
 * Invariants: task ids are dense from 1 within a scheduler and are submitted in id order, so
 * task `id` lives in row `id - 1` of the task columns; its dependency ids are
 * `depIds[depEnd[row - 1] .. depEnd[row])`. Spans are appended when an attempt starts, so they
 * are in start order. `#finalDone` counts the rows that are done and not depended on.
 * It keeps no reference to a task node: only numbers and the task's name.
 */
export class TimelineRecorder implements TaskRecorder {
  readonly #queues: readonly QueueState[];
  #lastQueue: QueueState | undefined;
  #lastQueueIndex = 0;
  #tasks = 0;
  #taskQueue = new Uint16Array(INITIAL);
  #taskStatus = new Uint8Array(INITIAL);
  #taskFlags = new Uint8Array(INITIAL);
  #taskSpan = new Int32Array(INITIAL);
  #depEnd = new Int32Array(INITIAL);
  readonly #names: string[] = [];
  #deps = 0;
  #depIds = new Int32Array(INITIAL);
  #spans = 0;
  #spanTask = new Int32Array(INITIAL);
  #spanStart = new Float64Array(INITIAL);
  #spanEnd = new Float64Array(INITIAL);
  #spanStatus = new Uint8Array(INITIAL);
  #spanAttempt = new Uint16Array(INITIAL);
  #items = 0;
  #itemTask = new Int32Array(INITIAL);
  #itemIndex = new Int32Array(INITIAL);
  #itemTime = new Float64Array(INITIAL);
  #finalDone = 0;

  /** `queues` is the scheduler's own list of queues, read as it grows. */
  constructor(queues: readonly QueueState[]) {
    this.#queues = queues;
  }

  /** How many tasks are done with no task depending on them (final results), now. */
  get finalResults(): number {
    return this.#finalDone;
  }

  submitted(node: TaskNode): void {
    const row = node.id - 1;
    if (row !== this.#tasks) return; // not in id order: cannot happen, but never corrupt rows
    const need = row + 1;
    if (need > this.#taskQueue.length) this.#growTasks(need);
    this.#tasks = need;
    const queue = node.queue;
    if (queue !== this.#lastQueue) {
      this.#lastQueue = queue;
      this.#lastQueueIndex = this.#queues.indexOf(queue);
    }
    this.#taskQueue[row] = this.#lastQueueIndex;
    this.#taskSpan[row] = -1;
    this.#names.push(node.name);
    const deps = node.deps;
    if (deps !== undefined) {
      this.#depIds = grownI32(this.#depIds, this.#deps + deps.length);
      let previous = 0;
      for (const dep of deps) {
        const id = dep.id;
        if (id === previous) continue; // consecutive items of one generator: one edge
        previous = id;
        this.#depIds[this.#deps++] = id;
        const depRow = id - 1;
        const flags = this.#taskFlags[depRow] as number;
        if ((flags & DEPENDED) === 0) {
          this.#taskFlags[depRow] = flags | DEPENDED;
          if (this.#taskStatus[depRow] === TaskCode.done) this.#finalDone--;
        }
      }
    }
    this.#depEnd[row] = this.#deps;
  }

  started(node: TaskNode): void {
    const span = this.#spans++;
    if (span >= this.#spanTask.length) this.#growSpans(span + 1);
    const row = node.id - 1;
    this.#spanTask[span] = row;
    this.#spanStart[span] = performance.now();
    this.#spanStatus[span] = SpanCode.running;
    this.#spanAttempt[span] = node.attempt;
    this.#taskSpan[row] = span;
    this.#taskStatus[row] = TaskCode.running;
  }

  ended(node: TaskNode, ending: SpanEnding): void {
    const row = node.id - 1;
    if (row >= this.#tasks) return;
    const span = this.#taskSpan[row] as number;
    if (span >= 0 && this.#spanStatus[span] === SpanCode.running) {
      this.#spanEnd[span] = performance.now();
      this.#spanStatus[span] = SpanCode[ending];
    }
    if (ending === 'retried') {
      this.#taskStatus[row] = TaskCode.pending;
      return;
    }
    this.#taskStatus[row] = TaskCode[ending];
    if (ending === 'done' && ((this.#taskFlags[row] as number) & DEPENDED) === 0) {
      this.#finalDone++;
    }
  }

  item(node: TaskNode, index: number): void {
    const at = this.#items++;
    if (at >= this.#itemTask.length) {
      this.#itemTask = grownI32(this.#itemTask, at + 1);
      this.#itemIndex = grownI32(this.#itemIndex, at + 1);
      this.#itemTime = grownF64(this.#itemTime, at + 1);
    }
    this.#itemTask[at] = node.id - 1;
    this.#itemIndex[at] = index;
    this.#itemTime[at] = performance.now();
  }

  /** A copy of everything recorded so far, with the queues as they are now. */
  snapshot(): Timeline {
    const t = this.#tasks;
    const s = this.#spans;
    const i = this.#items;
    const columns: TimelineColumns = {
      queues: this.#queues.map((q) => ({ name: q.name, concurrency: q.concurrency })),
      taskQueue: this.#taskQueue.slice(0, t),
      taskStatus: this.#taskStatus.slice(0, t),
      taskFinal: this.#finalColumn(t),
      taskSpan: this.#taskSpan.slice(0, t),
      taskName: this.#names.slice(0, t),
      depEnd: this.#depEnd.slice(0, t),
      depIds: this.#depIds.slice(0, this.#deps),
      spanTask: this.#spanTask.slice(0, s),
      spanStart: this.#spanStart.slice(0, s),
      spanEnd: this.#spanEnd.slice(0, s),
      spanStatus: this.#spanStatus.slice(0, s),
      spanAttempt: this.#spanAttempt.slice(0, s),
      itemTask: this.#itemTask.slice(0, i),
      itemIndex: this.#itemIndex.slice(0, i),
      itemTime: this.#itemTime.slice(0, i),
      capturedAt: performance.now(),
    };
    return new Timeline(columns);
  }

  /** 1 for each task no other task depends on (done or not), else 0. */
  #finalColumn(count: number): Uint8Array {
    const final = new Uint8Array(count);
    const flags = this.#taskFlags;
    for (let row = 0; row < count; row++) final[row] = (flags[row] as number) & DEPENDED ? 0 : 1;
    return final;
  }

  #growTasks(need: number): void {
    this.#taskQueue = grownU16(this.#taskQueue, need);
    this.#taskStatus = grownU8(this.#taskStatus, need);
    this.#taskFlags = grownU8(this.#taskFlags, need);
    this.#taskSpan = grownI32(this.#taskSpan, need);
    this.#depEnd = grownI32(this.#depEnd, need);
  }

  #growSpans(need: number): void {
    this.#spanTask = grownI32(this.#spanTask, need);
    this.#spanStart = grownF64(this.#spanStart, need);
    this.#spanEnd = grownF64(this.#spanEnd, need);
    this.#spanStatus = grownU8(this.#spanStatus, need);
    this.#spanAttempt = grownU16(this.#spanAttempt, need);
  }
}
