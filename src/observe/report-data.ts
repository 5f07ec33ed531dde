import { SpanCode, TaskCode, type Timeline } from './timeline.js';

/** One queue's line in a report's summary table. */
export interface QueueSummary {
  readonly name: string;
  readonly concurrency: number;
  /** Tasks submitted to it. */
  readonly tasks: number;
  readonly done: number;
  readonly failed: number;
  readonly cancelled: number;
  /** Attempts that started (spans). */
  readonly attempts: number;
  /** Items yielded by its generator tasks. */
  readonly items: number;
  /** The sum of its spans' durations, in milliseconds. */
  readonly busyMs: number;
  /** `busyMs / (concurrency × the section's duration)`, from 0 to 1. */
  readonly utilisation: number;
}

/**
 * A timeline as the report page reads it: columns as plain arrays, times in whole
 * microseconds from the section's origin (the first span's start), names deduplicated.
 */
export interface SectionData {
  readonly title: string;
  readonly queues: readonly { readonly name: string; readonly concurrency: number }[];
  readonly names: readonly string[];
  readonly taskName: readonly number[];
  readonly taskQueue: readonly number[];
  readonly depEnd: readonly number[];
  readonly depIds: readonly number[];
  readonly spanTask: readonly number[];
  readonly spanStart: readonly number[];
  readonly spanDur: readonly number[];
  readonly spanStatus: readonly number[];
  /** Attempt numbers above 0, by span index (most spans are first attempts). */
  readonly spanAttempt: Readonly<Record<number, number>>;
  /** When each final result was delivered, sorted. */
  readonly finalTimes: readonly number[];
  /** From the first span's start to the last span's end. */
  readonly durationUs: number;
  /** When the first final result was delivered, or -1 if none was. */
  readonly firstFinalUs: number;
  readonly items: number;
  readonly summary: readonly QueueSummary[];
}

/** Milliseconds from `origin` to whole microseconds. */
function micros(ms: number, origin: number): number {
  return Math.round((ms - origin) * 1000);
}

/** Per-queue counts, busy time and utilisation of a timeline. */
export function summarise(timeline: Timeline, durationMs: number): QueueSummary[] {
  const c = timeline.columns;
  const rows = c.queues.map((q) => ({
    name: q.name,
    concurrency: q.concurrency,
    tasks: 0,
    done: 0,
    failed: 0,
    cancelled: 0,
    attempts: 0,
    items: 0,
    busyMs: 0,
    utilisation: 0,
  }));
  for (let t = 0; t < c.taskQueue.length; t++) {
    const row = rows[c.taskQueue[t] as number];
    if (row === undefined) continue;
    row.tasks++;
    const status = c.taskStatus[t];
    if (status === TaskCode.done) row.done++;
    else if (status === TaskCode.failed) row.failed++;
    else if (status === TaskCode.cancelled) row.cancelled++;
  }
  for (let s = 0; s < c.spanTask.length; s++) {
    const row = rows[c.taskQueue[c.spanTask[s] as number] as number];
    if (row === undefined) continue;
    row.attempts++;
    const end = c.spanStatus[s] === SpanCode.running ? c.capturedAt : (c.spanEnd[s] as number);
    row.busyMs += end - (c.spanStart[s] as number);
  }
  for (let i = 0; i < c.itemTask.length; i++) {
    const row = rows[c.taskQueue[c.itemTask[i] as number] as number];
    if (row !== undefined) row.items++;
  }
  for (const row of rows) {
    row.utilisation = durationMs > 0 ? row.busyMs / (row.concurrency * durationMs) : 0;
  }
  return rows;
}

/** Encodes a timeline for the report page. */
export function encodeSection(title: string, timeline: Timeline): SectionData {
  const c = timeline.columns;
  const spans = c.spanTask.length;
  const origin = spans > 0 ? (c.spanStart[0] as number) : c.capturedAt;
  let last = origin;
  const spanStart = new Array<number>(spans);
  const spanDur = new Array<number>(spans);
  const spanAttempt: Record<number, number> = {};
  for (let s = 0; s < spans; s++) {
    const end = c.spanStatus[s] === SpanCode.running ? c.capturedAt : (c.spanEnd[s] as number);
    if (end > last) last = end;
    const start = micros(c.spanStart[s] as number, origin);
    spanStart[s] = start;
    spanDur[s] = micros(end, origin) - start;
    const attempt = c.spanAttempt[s] as number;
    if (attempt > 0) spanAttempt[s] = attempt;
  }
  const names: string[] = [];
  const nameIndex = new Map<string, number>();
  const taskName = c.taskName.map((name) => {
    let at = nameIndex.get(name);
    if (at === undefined) {
      at = names.length;
      names.push(name);
      nameIndex.set(name, at);
    }
    return at;
  });
  const finalTimes = Array.from(timeline.finalResultTimes(), (t) => micros(t, origin));
  return {
    title,
    queues: c.queues,
    names,
    taskName,
    taskQueue: Array.from(c.taskQueue),
    depEnd: Array.from(c.depEnd),
    depIds: Array.from(c.depIds),
    spanTask: Array.from(c.spanTask),
    spanStart,
    spanDur,
    spanStatus: Array.from(c.spanStatus),
    spanAttempt,
    finalTimes,
    durationUs: micros(last, origin),
    firstFinalUs: finalTimes[0] ?? -1,
    items: c.itemTask.length,
    summary: summarise(timeline, last - origin),
  };
}
