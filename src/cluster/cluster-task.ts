import type { ItemSink } from '../executors/drive-generator.js';
import type { RunInfo } from '../executors/executor.js';
import { RemoteTask, type Transport } from '../executors/remote-task.js';
import type { TaskOutcome } from '../executors/wire.js';
import type { JobData, Reply } from './protocol.js';

/**
 * A task running as a BullMQ job, seen from the scheduler: a `RemoteTask` that takes the
 * replies of its job exactly once, however often BullMQ runs the job (a worker lost mid-task
 * makes BullMQ run it again elsewhere; a job Redis lost is added again).
 *
 * Items carry their index: the first copy of each index is taken, in order (a later one is
 * held until the gap before it fills), and copies from a second run are dropped. An outcome is
 * taken only if it fits the items taken: a generator's count must equal the items received, so
 * the end of a run whose first items Redis lost waits for the run that replaces it.
 */
export class ClusterTask extends RemoteTask {
  /** The BullMQ job id: unique per attempt of a task, so BullMQ adds the job only once. */
  readonly jobId: string;
  /** The job's data, kept to add it again if Redis loses it. */
  readonly data: JobData;
  /** The export to call (the job's name in BullMQ). */
  readonly exportName: string;
  /** When the job was last added, for the check of jobs in flight (`performance.now()`). */
  addedAt = 0;
  /** The last check found no such job in Redis; the next one that agrees adds it again. */
  missing = false;
  readonly #generator: boolean;
  readonly #forget: (task: ClusterTask) => void;
  #next = 0;
  #early: Map<number, unknown> | undefined;

  constructor(
    key: number,
    job: { id: string; data: JobData; exportName: string; generator: boolean },
    info: RunInfo,
    transport: Transport,
    grace: number,
    sink: ItemSink | undefined,
    forget: (task: ClusterTask) => void,
  ) {
    super(key, info, transport, grace, sink);
    this.jobId = job.id;
    this.data = job.data;
    this.exportName = job.exportName;
    this.#generator = job.generator;
    this.#forget = forget;
  }

  /** Takes in one reply of this task's job. */
  receive(reply: Reply): void {
    if (reply.kind === 'item') this.#item(reply.index, reply.value);
    else this.#end(reply.outcome);
  }

  #item(index: number, value: unknown): void {
    if (index < this.#next) return; // a second run's copy
    if (index > this.#next) {
      this.#early ??= new Map();
      if (!this.#early.has(index)) this.#early.set(index, value);
      return;
    }
    this.#next++;
    this.item(value);
    while (this.#early?.has(this.#next)) {
      const held = this.#early.get(this.#next);
      this.#early.delete(this.#next);
      this.#next++;
      this.item(held);
    }
  }

  #end(outcome: TaskOutcome): void {
    if (this.#generator && outcome.ok && outcome.value !== this.#next) return;
    this.end(outcome);
  }

  protected override finish(): void {
    super.finish();
    this.#early = undefined;
    this.#forget(this);
  }
}
