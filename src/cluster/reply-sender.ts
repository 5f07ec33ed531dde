import type { Redis } from 'ioredis';
import { type TaskOutcome, toWire } from '../executors/wire.js';
import { encodeMessage } from './codec.js';
import { type ClusterJob, REPLY_TTL_SECONDS, type Reply } from './protocol.js';

/** How often a reply list's time to live is renewed. */
const EXPIRE_EVERY_MS = 60_000;
/** How many reply lists a worker remembers renewing. */
const LISTS_KEPT = 256;

/**
 * How a worker sends replies: encoded with v8, pushed on the job's reply list on the
 * connection BullMQ completes jobs on, never awaited.
 */
export class ReplySender {
  readonly #commands: Redis;
  /** When each reply list was last given its time to live (`performance.now()`). */
  readonly #expiries = new Map<string, number>();

  constructor(commands: Redis) {
    this.#commands = commands;
  }

  /**
   * Pushes a generator's item; throws a `TypeError` for a value that cannot be copied (the
   * generator then fails with it). Replies are not awaited: they go out on the connection
   * BullMQ completes the job on, so Redis has them before the job is done, in order, at no
   * round trip each.
   */
  item(reply: string, message: Reply & { kind: 'item' }, task: ClusterJob): void {
    let bytes: Buffer;
    try {
      bytes = encodeMessage(message);
    } catch (error) {
      throw new TypeError(
        `Task ${task.id} (${task.name}): its item ${message.index} could not be copied to Redis (${(error as Error).message}). Yield only data that structured cloning copies: no functions, no objects that need their class.`,
      );
    }
    this.#send(reply, bytes);
  }

  /** Pushes the outcome; one whose value cannot be copied becomes the task's error. */
  end(jobId: string, reply: string, outcome: TaskOutcome): void {
    let bytes: Buffer;
    try {
      bytes = encodeMessage({ job: jobId, kind: 'end', outcome });
    } catch (error) {
      const failure = new TypeError(
        `The result of job ${jobId} could not be copied back to the scheduler (${(error as Error).message}). Return only data that structured cloning copies: no functions, no objects that need their class.`,
      );
      bytes = encodeMessage({
        job: jobId,
        kind: 'end',
        outcome: { ok: false, error: toWire(failure) },
      });
    }
    this.#send(reply, bytes);
  }

  /**
   * RPUSH to a reply list; now and then (at most once a minute per list) also an EXPIRE, so
   * that the list of a scheduler that died goes away.
   */
  #send(reply: string, bytes: Buffer): void {
    const now = performance.now();
    const expired = now - (this.#expiries.get(reply) ?? Number.NEGATIVE_INFINITY) > EXPIRE_EVERY_MS;
    this.#commands.rpush(reply, bytes).catch(() => {});
    if (expired) {
      this.#expiries.set(reply, now);
      this.#commands.expire(reply, REPLY_TTL_SECONDS).catch(() => {});
      if (this.#expiries.size > LISTS_KEPT) {
        this.#expiries.delete(this.#expiries.keys().next().value as string);
      }
    }
  }
}
