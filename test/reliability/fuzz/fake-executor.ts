import type { Executor, ItemSink, RunInfo } from '../../../src/index.js';
import { type Deferred, deferred } from '../../helpers/deferred.js';

/** How a task's run() behaves when the scheduler calls it. */
export type RunPlan =
  | { readonly kind: 'async' }
  | { readonly kind: 'sync-value'; readonly value: unknown }
  | { readonly kind: 'sync-throw'; readonly thrown: unknown };

/** One call of `run()`: a task's attempt, held open until the test settles it. */
export interface FakeRun {
  /** The model's index of the task (from its name, `t<k>`). */
  readonly task: number;
  readonly queue: number;
  readonly info: RunInfo;
  readonly args: unknown[];
  readonly sink: ItemSink | undefined;
  /** Settles the attempt (async plans only); undefined for a run that ended inside run(). */
  readonly gate: Deferred<unknown> | undefined;
  /** Set once the attempt ended (inside run(), or by the test). */
  ended: boolean;
  /** For a sync plan: how it ended inside run(). */
  readonly syncOutcome?: { ok: boolean; value: unknown };
}

/**
 * An Executor for tests whose tasks never run code: each `run()` is logged and returns a
 * promise the test settles when and how it chooses (or, for a sync plan, returns or throws at
 * once), so a test decides the completion order and every outcome. Generator tasks get their
 * items through the sink the scheduler passes, one `yieldItem` at a time.
 */
export class FakeExecutor implements Executor {
  readonly kind = 'fake';
  readonly #queue: number;
  readonly #log: FakeRun[];
  readonly #plan: (task: number) => RunPlan;

  constructor(queue: number, log: FakeRun[], plan: (task: number) => RunPlan) {
    this.#queue = queue;
    this.#log = log;
    this.#plan = plan;
  }

  refuse(): string | undefined {
    return undefined;
  }

  run(_fn: unknown, args: unknown[], info: RunInfo, sink?: ItemSink): unknown {
    const task = Number(/^t(\d+)$/.exec(info.name)?.[1] ?? Number.NaN);
    const plan = this.#plan(task);
    const base = { task, queue: this.#queue, info, args, sink };
    if (plan.kind === 'sync-value') {
      this.#log.push({
        ...base,
        gate: undefined,
        ended: true,
        syncOutcome: { ok: true, value: plan.value },
      });
      return plan.value;
    }
    if (plan.kind === 'sync-throw') {
      this.#log.push({
        ...base,
        gate: undefined,
        ended: true,
        syncOutcome: { ok: false, value: plan.thrown },
      });
      throw plan.thrown;
    }
    const gate = deferred<unknown>();
    this.#log.push({ ...base, gate, ended: false });
    return gate.promise;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
