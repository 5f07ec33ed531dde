import type { Executor, ItemSink, RunInfo } from '../../../src/index.js';
import { type Deferred, deferred } from '../../helpers/deferred.js';

/** How a task's run() behaves when the scheduler calls it. */
export type RunPlan =
  | { readonly kind: 'async' }
  | { readonly kind: 'sync-value'; readonly value: unknown }
  | { readonly kind: 'sync-throw'; readonly thrown: unknown };

/** What the fake executor saw, in order: an attempt started, or its signal was aborted. */
export type FakeEvent =
  | { readonly kind: 'start'; readonly run: FakeRun }
  | { readonly kind: 'abort'; readonly run: FakeRun; readonly reason: unknown };

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
  readonly #log: FakeEvent[];
  readonly #plan: (task: number) => RunPlan;

  constructor(queue: number, log: FakeEvent[], plan: (task: number) => RunPlan) {
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
    let run: FakeRun;
    if (plan.kind === 'async') {
      run = { ...base, gate: deferred<unknown>(), ended: false };
    } else {
      const ok = plan.kind === 'sync-value';
      const value = ok ? plan.value : plan.thrown;
      run = { ...base, gate: undefined, ended: true, syncOutcome: { ok, value } };
    }
    this.#log.push({ kind: 'start', run });
    // A timeout or the user's signal aborts the attempt (every time, even if its signal is
    // already aborted): logged in its place, through the hook executors pass aborts on with.
    info.receiver = {
      taskAborted: (reason) => this.#log.push({ kind: 'abort', run, reason }),
    };
    if (run.syncOutcome === undefined) return run.gate?.promise;
    if (run.syncOutcome.ok) return run.syncOutcome.value;
    throw run.syncOutcome.value;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
