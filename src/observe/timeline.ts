/**
 * The state of one span (one attempt of a task): still `running` when the timeline was taken,
 * or how it ended; `retried` means the attempt failed and the task ran again.
 */
export type SpanStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'retried';

/** How an attempt's span ended, as the core tells the recorder. */
export type SpanEnding = Exclude<SpanStatus, 'running'>;

/**
 * A task's state as recorded: `pending` (submitted, not running: waiting or ready), `running`,
 * or how it settled.
 */
export type RecordedStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

/** Span status codes in the `spanStatus` column. Internal: users read `span(i).status`. */
export const SpanCode = { running: 0, done: 1, failed: 2, cancelled: 3, retried: 4 } as const;
/** Names of the span codes, by code. */
export const SPAN_STATUSES: readonly SpanStatus[] = [
  'running',
  'done',
  'failed',
  'cancelled',
  'retried',
];

/** Task status codes in the `taskStatus` column. */
export const TaskCode = { pending: 0, running: 1, done: 2, failed: 3, cancelled: 4 } as const;
/** Names of the task codes, by code. */
export const TASK_STATUSES: readonly RecordedStatus[] = [
  'pending',
  'running',
  'done',
  'failed',
  'cancelled',
];

/**
 * The raw columns of a timeline, for consumers that handle many records (the report). Task
 * `id` is row `id - 1` of the `task*` columns; its dependencies are
 * `depIds.subarray(row === 0 ? 0 : depEnd[row - 1], depEnd[row])`. Spans are in start order.
 * Times are `performance.now()` milliseconds.
 */
export interface TimelineColumns {
  /** The scheduler's queues; `taskQueue` holds indexes into this. */
  readonly queues: readonly { readonly name: string; readonly concurrency: number }[];
  /** Each task's queue, as an index into `queues`. */
  readonly taskQueue: Uint16Array;
  /** Codes of `TASK_STATUSES`. */
  readonly taskStatus: Uint8Array;
  /** 1 if no task depends on this one (see `Timeline.isFinal`). */
  readonly taskFinal: Uint8Array;
  /** The task's last span, or -1 if it never started. */
  readonly taskSpan: Int32Array;
  /** Each task's name. */
  readonly taskName: readonly string[];
  /** Where each task's dependency ids end in `depIds` (they start where the previous end). */
  readonly depEnd: Int32Array;
  /** Dependency ids of all tasks, task after task. */
  readonly depIds: Int32Array;
  /** The span's task, as a row (id - 1). */
  readonly spanTask: Int32Array;
  /** When the attempt started. */
  readonly spanStart: Float64Array;
  /** Meaningless while the span's status is `running`. */
  readonly spanEnd: Float64Array;
  /** Codes of `SPAN_STATUSES`. */
  readonly spanStatus: Uint8Array;
  /** 0 for a first attempt, 1 for the first retry, ... */
  readonly spanAttempt: Uint16Array;
  /** The generator task of each item, as a row (id - 1). */
  readonly itemTask: Int32Array;
  /** The item's index in its stream. */
  readonly itemIndex: Int32Array;
  /** When it was yielded. */
  readonly itemTime: Float64Array;
  /** When the timeline was taken. */
  readonly capturedAt: number;
}

/** One attempt of a task, from `Timeline.span(i)`. */
export interface TaskSpan {
  /** The task's id. */
  readonly id: number;
  /** The task's name. */
  readonly name: string;
  /** The queue's name. */
  readonly queue: string;
  /** `performance.now()` when the attempt started. */
  readonly start: number;
  /** When it ended; for a `running` span, when the timeline was taken. */
  readonly end: number;
  /** Running, or how the attempt ended. */
  readonly status: SpanStatus;
  /** 0 for the first attempt, 1 for the first retry, ... */
  readonly attempt: number;
}

/** A recorded task, from `Timeline.task(id)`. */
export interface RecordedTask {
  /** The task's id. */
  readonly id: number;
  /** The task's name. */
  readonly name: string;
  /** The queue's name. */
  readonly queue: string;
  /** Its state when the timeline was taken. */
  readonly status: RecordedStatus;
  /** Ids of the tasks it depends on (arguments, item futures, `release`, `after`). */
  readonly dependencies: readonly number[];
  /** No task depends on it: when done, it is a final result. */
  readonly final: boolean;
}

/** An item a generator task yielded, from `Timeline.items()`. */
export interface RecordedItem {
  /** The generator task's id. */
  readonly id: number;
  /** The item's index in the stream. */
  readonly index: number;
  /** `performance.now()` when it was yielded. */
  readonly time: number;
}

/**
 * What a scheduler recorded (`sch.timeline()`): every task with its queue, name, dependencies
 * and state; one span per attempt that started (queue, task, start, end, status, attempt); and
 * every item a generator yielded. A copy: later work does not change it.
 *
 * A **final result** is a task that finished `done` and that no task submitted so far depends
 * on, by an argument, an item future, `release` or `after` (the seed's `C[i]`, not the `A[i]`
 * and `B[i]` they are made from). A task submitted later that depends on it makes it an
 * intermediate result.
 */
export class Timeline {
  /** The raw columns (see `TimelineColumns`). */
  readonly columns: TimelineColumns;

  /** @internal Made by `sch.timeline()`. */
  constructor(columns: TimelineColumns) {
    this.columns = columns;
  }

  /** How many tasks were submitted. */
  get taskCount(): number {
    return this.columns.taskQueue.length;
  }

  /** How many attempts started (one span each). */
  get spanCount(): number {
    return this.columns.spanTask.length;
  }

  /** How many items generators yielded. */
  get itemCount(): number {
    return this.columns.itemTask.length;
  }

  /** How many final results (see the class) were delivered. */
  get finalResults(): number {
    const { taskStatus, taskFinal } = this.columns;
    let count = 0;
    for (let row = 0; row < taskStatus.length; row++) {
      if (taskFinal[row] === 1 && taskStatus[row] === TaskCode.done) count++;
    }
    return count;
  }

  /** When each final result was delivered (its last span's end), in increasing order. */
  finalResultTimes(): Float64Array {
    const { taskStatus, taskFinal, taskSpan, spanEnd } = this.columns;
    const times = new Float64Array(this.finalResults);
    let n = 0;
    for (let row = 0; row < taskStatus.length; row++) {
      if (taskFinal[row] !== 1 || taskStatus[row] !== TaskCode.done) continue;
      times[n++] = spanEnd[taskSpan[row] as number] as number;
    }
    return times.sort();
  }

  /** True if no task depends on task `id` (a final result once it is done). */
  isFinal(id: number): boolean {
    return this.columns.taskFinal[id - 1] === 1;
  }

  /** The `i`-th span, in start order (0 <= i < spanCount). */
  span(i: number): TaskSpan {
    const c = this.columns;
    if (!Number.isInteger(i) || i < 0 || i >= c.spanTask.length) {
      throw new RangeError(
        `Expected a span index from 0 to ${c.spanTask.length - 1}, got ${String(i)}.`,
      );
    }
    const row = c.spanTask[i] as number;
    const status = SPAN_STATUSES[c.spanStatus[i] as number] as SpanStatus;
    return {
      id: row + 1,
      name: c.taskName[row] as string,
      queue: c.queues[c.taskQueue[row] as number]?.name ?? '?',
      start: c.spanStart[i] as number,
      end: status === 'running' ? c.capturedAt : (c.spanEnd[i] as number),
      status,
      attempt: c.spanAttempt[i] as number,
    };
  }

  /** Every span, in start order. */
  *spans(): Generator<TaskSpan> {
    for (let i = 0; i < this.spanCount; i++) yield this.span(i);
  }

  /** Task `id` as recorded, or undefined if this timeline has no such task. */
  task(id: number): RecordedTask | undefined {
    const c = this.columns;
    const row = id - 1;
    if (!Number.isInteger(id) || row < 0 || row >= c.taskQueue.length) return undefined;
    const from = row === 0 ? 0 : (c.depEnd[row - 1] as number);
    return {
      id,
      name: c.taskName[row] as string,
      queue: c.queues[c.taskQueue[row] as number]?.name ?? '?',
      status: TASK_STATUSES[c.taskStatus[row] as number] as RecordedStatus,
      dependencies: Array.from(c.depIds.subarray(from, c.depEnd[row])),
      final: c.taskFinal[row] === 1,
    };
  }

  /** Every item generators yielded, in the order they were yielded. */
  *items(): Generator<RecordedItem> {
    const c = this.columns;
    for (let i = 0; i < c.itemTask.length; i++) {
      yield {
        id: (c.itemTask[i] as number) + 1,
        index: c.itemIndex[i] as number,
        time: c.itemTime[i] as number,
      };
    }
  }
}
