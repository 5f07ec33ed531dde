/**
 * What crosses Redis between a `cluster()` scheduler and its `smqsched worker` processes: the
 * job a task becomes, the replies a worker pushes back (a generator's items, then the outcome),
 * the control messages (abort, stop) a scheduler publishes, and the names of the Redis keys.
 * Values are encoded with `v8.serialize` (see codec.ts); nothing here is ever run as code.
 *
 * @module
 */

import type { TaskOutcome, WireError } from '../executors/wire.js';

/** The prefix of every Redis key smqsched makes itself (BullMQ's own keys start with `bull:`). */
const PREFIX = 'smqsched';

/** What a job holds in BullMQ's `data`: where to reply, in clear, and the task, encoded. */
export interface JobData {
  /** The Redis list the worker pushes its replies to (one per scheduler executor). */
  readonly reply: string;
  /** A `ClusterJob`, v8-serialized and base64-encoded (BullMQ keeps `data` as JSON). */
  readonly task: string;
}

/** The task a job asks a worker to run. */
export interface ClusterJob {
  /** The module's URL on the scheduler's machine: only its file name is used, to tell apart
   * two served modules that export the same name. */
  readonly module: string;
  /** The export to call: a worker runs it only if a module it serves exports it. */
  readonly exportName: string;
  /** True if the export is declared a generator function: its items are streamed back. */
  readonly generator: boolean;
  /** The arguments, every future already replaced by its value. */
  readonly args: unknown[];
  /** What `currentTask()` returns in the worker. */
  readonly id: number;
  readonly name: string;
  readonly attempt: number;
}

/**
 * A reply, pushed by the worker on the job's reply list: the generator's items (with their
 * index, so a job run twice is told apart), then the outcome. A list keeps them in order and
 * keeps them until the scheduler reads them, even while it is disconnected.
 */
export type Reply =
  | { readonly job: string; readonly kind: 'item'; readonly index: number; readonly value: unknown }
  | { readonly job: string; readonly kind: 'end'; readonly outcome: TaskOutcome };

/** What a scheduler tells the workers of a queue about one job, by pub/sub. */
export type Control =
  | { readonly job: string; readonly kind: 'abort'; readonly reason: WireError }
  | { readonly job: string; readonly kind: 'stop' };

/** The reply list of one scheduler executor. */
export function replyKey(queueName: string, executorId: string): string {
  return `${PREFIX}:${queueName}:reply:${executorId}`;
}

/** The pub/sub channel of a queue's control messages. */
export function controlChannel(queueName: string): string {
  return `${PREFIX}:${queueName}:control`;
}

/** How long a reply list outlives its last push: a scheduler that died leaves no garbage. */
export const REPLY_TTL_SECONDS = 24 * 60 * 60;
