import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { fromWire, type TaskOutcome, type TaskRequest, toWire } from '../executors/wire.js';
import { WorkerRuntime } from '../executors/worker-runtime.js';
import { decodeJob, decodeMessage } from './codec.js';
import { closeRedis, connectRedis, redactUrl, settlesWithin } from './connection.js';
import { type ClusterJob, type Control, controlChannel, type JobData } from './protocol.js';
import { ReplySender } from './reply-sender.js';
import { TaskCatalog } from './task-catalog.js';

/** Options of `ClusterWorker.start(options)` (the flags of `smqsched worker`). */
export interface ClusterWorkerOptions {
  /** The Redis URL, as given to `cluster()` (`redis://`, `rediss://` for TLS). */
  readonly connection: string;
  /** The BullMQ queue to serve, as `queueName` of `cluster()`. */
  readonly queueName: string;
  /** The task modules: paths (relative to the working directory) or `file:` URLs. */
  readonly tasks: readonly string[];
  /**
   * How many jobs this worker runs at once.
   * @default 1
   */
  readonly concurrency?: number;
  /**
   * Milliseconds a job's lock lasts without renewal: a worker that died is noticed this long
   * after, and its job is given to another worker.
   * @default 30000 (BullMQ's)
   */
  readonly lockDuration?: number;
  /**
   * Milliseconds between this worker's checks for jobs whose worker died.
   * @default 30000 (BullMQ's)
   */
  readonly stalledInterval?: number;
  /**
   * How often a job may lose its worker before BullMQ fails it (the scheduler then fails its
   * task with `WorkerCrashedError`).
   * @default 1 (BullMQ's)
   */
  readonly maxStalledCount?: number;
  /** Where the worker reports trouble (Redis errors, lost replies). @default stderr */
  readonly log?: (line: string) => void;
}

/** Aborts of jobs not (yet) running here that a worker remembers. */
const EARLY_KEPT = 256;
/** How long BullMQ's close may wait for Redis once this worker's own jobs are done. */
const CLOSE_WAIT_MS = 2000;

/** A job running here. */
interface Running {
  readonly key: number;
  readonly runtime: WorkerRuntime;
}

/**
 * The worker side of `cluster()`: serves a BullMQ queue, running the exports of its task
 * modules (never code from a job) with the same runtime as `processes()` workers, one
 * `WorkerRuntime` per concurrent job. Replies (a generator's items, then the outcome) go to the
 * job's reply list; aborts and stops come from the queue's control channel.
 */
export class ClusterWorker {
  readonly #options: ClusterWorkerOptions;
  readonly #catalog: TaskCatalog;
  readonly #commands: Redis;
  readonly #control: Redis;
  readonly #worker: Worker;
  readonly #replies: ReplySender;
  readonly #log: (line: string) => void;
  readonly #idle: WorkerRuntime[] = [];
  readonly #running = new Map<string, Running>();
  readonly #early = new Map<string, unknown>();
  readonly #stopped = new Set<string>();
  /** Who waits for the running jobs to end (a graceful close). */
  readonly #whenDrained: (() => void)[] = [];
  #nextKey = 1;
  #started = false;
  #closing: Promise<void> | undefined;
  /** Rejects if Redis refuses this worker (a wrong password). */
  readonly #refused: Promise<never>;
  #refuse: (error: Error) => void = () => {};
  readonly #closed: Promise<void>;
  #markClosed: () => void = () => {};

  private constructor(options: ClusterWorkerOptions, catalog: TaskCatalog) {
    this.#options = options;
    this.#catalog = catalog;
    this.#log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.#closed = new Promise<void>((resolve) => {
      this.#markClosed = resolve;
    });
    this.#refused = new Promise<never>((_, reject) => {
      this.#refuse = reject;
    });
    this.#refused.catch((error: Error) => {
      if (!this.#started) return; // start() throws it
      this.#log(`smqsched worker: ${error.message}`);
      void this.close(true);
    });
    const onRefused = (error: Error): void => this.#refuse(error);
    this.#commands = connectRedis(options.connection, 'smqsched-worker', onRefused);
    this.#control = connectRedis(options.connection, 'smqsched-worker-control', onRefused);
    this.#replies = new ReplySender(this.#commands);
    this.#control.on('messageBuffer', (_channel: Buffer, message: Buffer) =>
      this.#onControl(message),
    );
    void this.#control.subscribe(controlChannel(options.queueName)).catch(() => {});
    this.#worker = new Worker(options.queueName, (job) => this.#process(job), {
      connection: this.#commands,
      concurrency: options.concurrency ?? 1,
      ...(options.lockDuration === undefined ? {} : { lockDuration: options.lockDuration }),
      ...(options.stalledInterval === undefined
        ? {}
        : { stalledInterval: options.stalledInterval }),
      ...(options.maxStalledCount === undefined
        ? {}
        : { maxStalledCount: options.maxStalledCount }),
    });
    let lastError = '';
    this.#worker.on('error', (error) => {
      const line = `smqsched worker: ${error.message}`;
      if (line !== lastError) this.#log(line);
      lastError = line;
    });
  }

  /**
   * Imports the task modules, connects, and starts serving the queue. While Redis cannot be
   * reached it waits (and retries); a refusal is final.
   *
   * @throws if a module cannot be imported or exports no function, or if Redis refuses the
   *   connection (a wrong password).
   */
  static async start(options: ClusterWorkerOptions): Promise<ClusterWorker> {
    const catalog = await TaskCatalog.load(options.tasks);
    const worker = new ClusterWorker(options, catalog);
    try {
      await Promise.race([worker.#worker.waitUntilReady(), worker.#refused]);
    } catch (error) {
      await worker.close(true);
      throw error;
    }
    worker.#started = true;
    return worker;
  }

  /** Resolves once the worker is closed: by `close()`, or because Redis refused it. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** One line saying what this worker serves. */
  describe(): string {
    const { queueName, connection, concurrency = 1 } = this.#options;
    return `smqsched worker: serving queue ${queueName} on ${redactUrl(connection)} with ${concurrency} slot(s); tasks: ${this.#catalog.names.join(', ')}`;
  }

  /**
   * Stops taking jobs and closes every connection. Without `force` the jobs running here
   * finish first (their replies go out); with it, they are left to BullMQ, which gives them to
   * another worker once their lock runs out. A second call returns the first one's promise.
   * It never waits long for a Redis that is away, but then BullMQ's own blocking connection
   * may go on retrying: `smqsched worker` exits regardless.
   */
  close(force = false): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#closing = (async () => {
      const closing = this.#worker.close(force);
      if (!force) await this.#drained();
      // BullMQ's close waits for Redis to answer; while Redis is away it would wait for ever.
      // Once this worker's jobs are done (or left), it gets a moment, then the sockets close.
      if (!(await settlesWithin(closing, CLOSE_WAIT_MS))) {
        await settlesWithin(this.#worker.disconnect(), CLOSE_WAIT_MS);
      }
      await Promise.all([closeRedis(this.#control), closeRedis(this.#commands)]);
      this.#markClosed();
    })();
    return this.#closing;
  }

  /** Resolves once no job runs here. */
  #drained(): Promise<void> {
    if (this.#running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#whenDrained.push(resolve));
  }

  async #process(job: Job): Promise<void> {
    const data = job.data as Partial<JobData> | null;
    const jobId = job.id as string;
    if (typeof data?.reply !== 'string' || typeof data.task !== 'string') {
      // BullMQ fails it: someone else's job on this queue, which no scheduler waits for
      throw new TypeError(
        `Job ${jobId} (${job.name}) is not a job of a smqsched scheduler: its data has no reply list and task. Give smqsched's workers a queue of their own.`,
      );
    }
    let outcome: TaskOutcome;
    try {
      outcome = await this.#run(jobId, data.reply, decodeJob(data as JobData));
    } catch (error) {
      outcome = { ok: false, error: toWire(error) };
    }
    this.#replies.end(jobId, data.reply, outcome);
  }

  async #run(jobId: string, reply: string, task: ClusterJob): Promise<TaskOutcome> {
    const url = this.#catalog.resolve(task);
    const runtime = this.#idle.pop() ?? new WorkerRuntime();
    const key = this.#nextKey++;
    this.#running.set(jobId, { key, runtime });
    if (this.#early.has(jobId)) {
      runtime.abort(key, this.#early.get(jobId)); // kept by the runtime until the task starts
      this.#early.delete(jobId);
    }
    const request: TaskRequest = {
      url,
      exportName: task.exportName,
      generator: task.generator,
      args: task.args,
      key,
      id: task.id,
      name: task.name,
      attempt: task.attempt,
    };
    let index = 0;
    const emit = (value: unknown): boolean => {
      this.#replies.item(reply, { job: jobId, kind: 'item', index, value }, task);
      index++;
      return !this.#stopped.has(jobId);
    };
    try {
      return await runtime.run(request, task.generator ? emit : undefined);
    } finally {
      this.#running.delete(jobId);
      this.#stopped.delete(jobId);
      this.#idle.push(runtime);
      if (this.#running.size === 0) for (const resolve of this.#whenDrained.splice(0)) resolve();
    }
  }

  #onControl(bytes: Buffer): void {
    let control: Control;
    try {
      control = decodeMessage<Control>(bytes);
    } catch {
      return;
    }
    if (control.kind === 'stop') {
      if (this.#running.has(control.job)) this.#stopped.add(control.job);
      return;
    }
    const reason = fromWire(control.reason);
    const running = this.#running.get(control.job);
    if (running !== undefined) {
      running.runtime.abort(running.key, reason);
      return;
    }
    this.#early.set(control.job, reason);
    if (this.#early.size > EARLY_KEPT)
      this.#early.delete(this.#early.keys().next().value as string);
  }
}
