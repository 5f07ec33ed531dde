import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ClusterTask } from './cluster-task.js';
import { decodeMessage, encodeMessage } from './codec.js';
import { closeRedis, connectRedis, settlesWithin } from './connection.js';
import type { CheckedClusterOptions } from './options.js';
import { type Control, controlChannel, type Reply, replyKey } from './protocol.js';

/** How many replies one read takes at most, after the blocking pop of the first. */
const REPLY_BATCH = 1000;
/** How long closing waits for Redis to answer before it just closes the sockets. */
const CLOSE_WAIT_MS = 1000;

/** What the link needs of its executor: the tasks in flight, by job id. */
export interface LinkOwner {
  /** The task of a job, if it is still in flight. */
  task(jobId: string): ClusterTask | undefined;
  /** Every task in flight. */
  tasks(): Iterable<ClusterTask>;
}

/**
 * A scheduler's connections to one BullMQ queue, made when its first task runs: a command
 * connection (BullMQ's `Queue` and the control messages share it) and a blocking one that
 * reads this executor's reply list. Jobs are added in batches (every task that runs in the same
 * turn of the event loop goes in one `addBulk`).
 *
 * Redis faults: while Redis is away, commands wait and ioredis reconnects. Once the command
 * connection is back, every job in flight is added again under its own id: BullMQ leaves a job
 * it still has alone, and one that a restarted Redis lost runs again. A periodic check
 * catches the rest: a job BullMQ failed fails its task, a job missing twice is added again.
 */
export class ClusterLink {
  readonly #owner: LinkOwner;
  readonly #options: CheckedClusterOptions;
  readonly #commands: Redis;
  readonly #reader: Redis;
  readonly #queue: Queue;
  readonly #id: string;
  readonly #replyKey: string;
  readonly #channel: string;
  readonly #reading: Promise<void>;
  readonly #timer: NodeJS.Timeout;
  #batch: ClusterTask[] = [];
  #readyOnce = false;
  /** Why Redis refused this scheduler (a wrong password): every task fails with it. */
  #refused: Error | undefined;
  #closing = false;
  #checking = false;

  constructor(owner: LinkOwner, options: CheckedClusterOptions) {
    this.#owner = owner;
    this.#options = options;
    const id = randomBytes(8).toString('hex');
    this.#id = id;
    this.#replyKey = replyKey(options.queueName, id);
    this.#channel = controlChannel(options.queueName);
    const onRefused = (error: Error): void => this.#onRefused(error);
    this.#commands = connectRedis(options.connection, `smqsched-scheduler-${id}`, onRefused);
    this.#reader = connectRedis(options.connection, `smqsched-replies-${id}`, onRefused);
    this.#queue = new Queue(options.queueName, { connection: this.#commands });
    this.#queue.on('error', () => {
      // connection errors: ioredis reconnects, and the jobs in flight are added again then
    });
    this.#commands.on('ready', () => this.#onReady());
    this.#reading = this.#read();
    this.#timer = setInterval(() => void this.#check(), options.checkInterval);
    this.#timer.unref();
  }

  /** A random id, unique among the schedulers of the queue: the ids of its jobs start with it. */
  get id(): string {
    return this.#id;
  }

  /** The list this executor's replies come back on. */
  get replyKey(): string {
    return this.#replyKey;
  }

  /** Adds the task's job to the queue, with the others that run in this turn. */
  add(task: ClusterTask): void {
    if (this.#refused !== undefined) {
      task.reject(this.#refusal(task));
      return;
    }
    this.#batch.push(task);
    if (this.#batch.length === 1) queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    const batch = this.#batch;
    this.#batch = [];
    this.#addJobs(batch);
  }

  #addJobs(tasks: readonly ClusterTask[]): void {
    const now = performance.now();
    for (const task of tasks) task.addedAt = now;
    const jobs = tasks.map((task) => ({
      name: task.exportName,
      data: task.data,
      opts: { jobId: task.jobId, removeOnComplete: true, removeOnFail: 1000 },
    }));
    this.#queue.addBulk(jobs).catch((error: unknown) => {
      if (this.#closing) return;
      for (const task of tasks) {
        const { id, name } = task.info;
        task.reject(
          new Error(
            `Task ${id} (${name}) could not be added to the BullMQ queue ${this.#options.queueName}: ${(error as Error).message}. Check the Redis server and the connection URL.`,
            { cause: error },
          ),
        );
      }
    });
  }

  /** Tells the workers of the queue about a job (an abort, or a generator's stop). */
  publish(control: Control): void {
    this.#commands.publish(this.#channel, encodeMessage(control)).catch(() => {
      // lost with the connection: the task's grace still ends it here
    });
  }

  /** Drops a job that has not started yet (an aborted task), if BullMQ still has it waiting. */
  remove(jobId: string): void {
    this.#queue.remove(jobId).catch(() => {
      // running (locked) or already gone: its reply will be ignored
    });
  }

  #onRefused(error: Error): void {
    if (this.#refused !== undefined) return;
    this.#refused = error;
    this.#reader.disconnect();
    this.#commands.disconnect();
    for (const task of [...this.#owner.tasks()]) task.reject(this.#refusal(task));
  }

  #refusal(task: ClusterTask): Error {
    const { id, name } = task.info;
    const reason = this.#refused as Error;
    return new Error(`Task ${id} (${name}) cannot run: ${reason.message}`, { cause: reason });
  }

  /** A (re)connection: after the first, every job in flight is added again. */
  #onReady(): void {
    if (!this.#readyOnce) {
      this.#readyOnce = true;
      return;
    }
    if (this.#closing) return;
    const inFlight = [...this.#owner.tasks()].filter((task) => !this.#batch.includes(task));
    if (inFlight.length > 0) this.#addJobs(inFlight);
  }

  /**
   * Reads replies: a blocking pop for the first, taken at once (a lone task's reply costs no
   * more round trips), then whatever else is there, a batch per round trip.
   */
  async #read(): Promise<void> {
    while (!this.#closing) {
      try {
        const first = await this.#reader.blpopBuffer(this.#replyKey, 0);
        if (first !== null) this.#take(first[1]);
        for (;;) {
          const rest = await this.#reader.lpopBuffer(this.#replyKey, REPLY_BATCH);
          if (rest === null) break;
          for (const bytes of rest) this.#take(bytes);
          if (rest.length < REPLY_BATCH) break;
        }
      } catch {
        if (this.#closing || this.#refused !== undefined) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  #take(bytes: Buffer): void {
    let reply: Reply;
    try {
      reply = decodeMessage<Reply>(bytes);
    } catch {
      return; // not ours: nothing else pushes to this list
    }
    this.#owner.task(reply.job)?.receive(reply);
  }

  /** The periodic check of the jobs in flight (see the class comment). */
  async #check(): Promise<void> {
    if (this.#checking || this.#closing) return;
    this.#checking = true;
    try {
      const due = performance.now() - this.#options.checkInterval;
      const old = [...this.#owner.tasks()].filter((task) => task.addedAt <= due);
      const states = await Promise.all(old.map((task) => this.#queue.getJobState(task.jobId)));
      const lost: ClusterTask[] = [];
      for (const [i, task] of old.entries()) {
        const state = states[i];
        if (task.settled) continue;
        if (state === 'failed') await this.#failed(task);
        else if (state === 'unknown' && task.missing) lost.push(task);
        task.missing = state === 'unknown' && !task.missing;
      }
      if (lost.length > 0 && !this.#closing) this.#addJobs(lost);
    } catch {
      // Redis is away: the next check, or the reconnection, will do
    } finally {
      this.#checking = false;
    }
  }

  /** BullMQ failed the job (its workers died mid-task more often than allowed). */
  async #failed(task: ClusterTask): Promise<void> {
    const job = await this.#queue.getJob(task.jobId);
    const reason = job?.failedReason ?? 'BullMQ failed the job';
    task.lost(null, null, new Error(`BullMQ failed job ${task.jobId}: ${reason}`));
  }

  /**
   * Ends the reader, the timer and both connections, and deletes the reply list; never waits
   * for a Redis that is away.
   */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#timer);
    this.#reader.disconnect();
    // A pop sent while Redis was away may never settle once the socket is gone.
    await settlesWithin(this.#reading, CLOSE_WAIT_MS);
    if (this.#commands.status === 'ready') {
      await settlesWithin(this.#commands.del(this.#replyKey), CLOSE_WAIT_MS);
    }
    await settlesWithin(this.#queue.close(), CLOSE_WAIT_MS);
    await closeRedis(this.#commands);
  }
}
