/**
 * smqsched: a simple multi-queue scheduler. Submit functions to queues; pass the futures they
 * return as arguments to later tasks to build a graph; the scheduler runs it over all queues,
 * delivering the results of the newest tasks first.
 *
 * @packageDocumentation
 */

export {
  ArgumentError,
  CancelledError,
  DeadlockError,
  DependencyError,
  IndexError,
  NonErrorThrown,
  NotReadyError,
  StreamCountError,
  StreamReplayError,
  TaskFailedError,
  type TaskLabel,
  TimeoutError,
  WorkerCrashedError,
} from './errors.js';
export type { ItemSink } from './executors/drive-generator.js';
export type { Executor, ExecutorQueue, RunInfo } from './executors/executor.js';
export { inline } from './executors/inline.js';
export { type ProcessesOptions, processes } from './executors/processes.js';
export {
  type StreamTaskRef,
  type TaskRef,
  type TaskRefOptions,
  task,
  type YieldOf,
} from './executors/task-ref.js';
export { type ThreadsOptions, threads } from './executors/threads.js';
export type { WorkerOptions } from './executors/worker-options.js';
export type { Arg, Args } from './futures/argument-types.js';
export { asCompleted, type SettledFuture } from './futures/as-completed.js';
export { Future } from './futures/future.js';
export { FutureStream } from './futures/future-stream.js';
export type { TaskFunction } from './graph/task-node.js';
export type { TaskStatus } from './graph/task-status.js';
export type {
  IdleEvent,
  Listener,
  SchedulerEvents,
  TaskEndEvent,
  TaskEvent,
  TaskItemEvent,
  TaskRetryEvent,
  TaskStartEvent,
} from './observe/events.js';
export type { ExplainReason, Explanation, TaskSummary } from './observe/explain.js';
export { type GraphExportOptions, toDot, toMermaid } from './observe/graph-export.js';
export {
  type ReportOptions,
  type ReportSection,
  type ReportSource,
  renderReport,
  writeReport,
} from './observe/report.js';
export type { SchedulerStats } from './observe/stats.js';
export {
  type RecordedItem,
  type RecordedStatus,
  type RecordedTask,
  type SpanStatus,
  type TaskSpan,
  Timeline,
  type TimelineColumns,
} from './observe/timeline.js';
export {
  type GeneratorTask,
  Queue,
  type QueueOptions,
  type Submitter,
} from './queues/queue.js';
export type { StatusCounts } from './queues/queue-state.js';
export type { TaskOptions } from './queues/task-options.js';
export { type AbortReceiver, currentTask, type TaskInfo } from './scheduler/current-task.js';
export { Scheduler, type SchedulerOptions } from './scheduler/scheduler.js';
