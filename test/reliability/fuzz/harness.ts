import assert from 'node:assert/strict';
import {
  type Future,
  type FutureStream,
  Queue,
  Scheduler,
  type TaskOptions,
  TimeoutError,
} from '../../../src/index.js';
import { type Tracked, track } from '../../property/reference-model.js';
import {
  checkCounts,
  checkOccupants,
  checkOutcome,
  checkWaits,
  itemValue,
  modelStatus,
  taskValue,
} from './checks.js';
import { type FakeEvent, FakeExecutor, type FakeRun, type RunPlan } from './fake-executor.js';
import { type Dep, Model, type QueueSpec } from './model.js';

/** Resource names; a queue's `totals[r]` of 0 means it lacks `RESOURCES[r]`. */
export const RESOURCES = ['a', 'b'] as const;

/** An argument of a submitted task: a dependency placed somewhere, or a plain value. */
export type ArgSpec =
  | { readonly at: 'top' | 'array' | 'object'; readonly dep: Dep }
  | { readonly at: 'plain'; readonly value: number };

/** A submission, resolved against the tasks that exist (see commands.ts). */
export interface Submission {
  readonly queue: number;
  readonly generator: boolean;
  readonly plan: RunPlan;
  readonly args: readonly ArgSpec[];
  readonly after: readonly Dep[];
  readonly hold: boolean;
  readonly release: readonly number[];
  readonly retries: number;
  readonly timeout: number | undefined;
  /** A generator's `numberOfResults`, if any. */
  readonly declared: number | undefined;
  readonly signal: boolean;
  readonly demand: readonly number[];
  /** What submit must refuse, if anything: a missing resource, too much, a non-held release. */
  readonly refusal: 'missing-resource' | 'too-much' | 'release-not-held' | undefined;
}

export interface Scenario {
  readonly queues: readonly QueueSpec[];
  readonly failFast: boolean;
}

/**
 * One fuzzed run: a real scheduler whose queues run on fake executors, beside the model. Every
 * command acts on both; `settle()` lets the real scheduler react, replays its starts into the
 * model (which checks each was allowed and the rule's choice) and checks every invariant.
 */
export class FuzzRun {
  readonly model: Model;
  readonly sch: Scheduler;
  readonly queues: Queue[];
  readonly futures: Future<unknown>[] = [];
  readonly log: FakeEvent[] = [];
  readonly plans: RunPlan[] = [];
  readonly submissions: Submission[] = [];
  readonly controllers: (AbortController | undefined)[] = [];
  readonly waits: Tracked[] = [];
  readonly stops: Tracked[] = [];
  /** `task:start` events per real task id. */
  readonly announced = new Map<number, number>();
  /** Attempts the fake executor was given, per real task id. */
  readonly #attempts = new Map<number, number>();
  /** `task:end` events per real task id. */
  readonly ends = new Map<number, number>();
  /** Runs replayed into the model so far (an index into `log`). */
  #replayed = 0;
  /** The attempts whose function has not returned yet, oldest first. */
  readonly #open = new Set<FakeRun>();
  /** Tasks whose outcome was checked once settled. */
  readonly #checked = new Set<number>();

  constructor(
    readonly scenario: Scenario,
    /** The fake clock that the scheduler's timeouts run on. */
    readonly clock: { tick(ms: number): void },
  ) {
    this.model = new Model(scenario.queues, scenario.failFast);
    this.sch = new Scheduler({ failFast: scenario.failFast });
    this.queues = scenario.queues.map(
      (spec, q) =>
        new Queue(this.sch, {
          concurrency: spec.concurrency,
          name: `q${q}`,
          executor: new FakeExecutor(q, this.log, (k) => this.plans[k] ?? { kind: 'async' }),
          resources: Object.fromEntries(
            RESOURCES.map((name, r) => [name, spec.totals[r] ?? 0]).filter(([, t]) => t !== 0),
          ),
        }),
    );
    this.sch.on('task:end', (event) => {
      this.ends.set(event.id, (this.ends.get(event.id) ?? 0) + 1);
    });
    this.sch.on('task:start', (event) => {
      this.announced.set(event.id, (this.announced.get(event.id) ?? 0) + 1);
    });
  }

  #future(dep: Dep): Future<unknown> {
    if ('task' in dep) return this.futures[dep.task] as Future<unknown>;
    return (this.futures[dep.gen] as FutureStream<unknown>).at(dep.index);
  }

  #arg(arg: ArgSpec): unknown {
    if (arg.at === 'plain') return arg.value;
    const future = this.#future(arg.dep);
    if (arg.at === 'array') return [future, 1];
    if (arg.at === 'object') return { x: future };
    return future;
  }

  /** The value a dependency stands for once done. */
  #depValue(dep: Dep): unknown {
    if (!('task' in dep)) return itemValue(dep.gen, dep.index);
    const task = this.model.task(dep.task);
    if (!task.generator) return taskValue(dep.task);
    return Array.from({ length: task.yielded }, (_, i) => itemValue(dep.task, i));
  }

  #expectedArgs(k: number): unknown[] {
    const sub = this.submissions[k] as Submission;
    return sub.args.map((arg) => {
      if (arg.at === 'plain') return arg.value;
      const value = this.#depValue(arg.dep);
      if (arg.at === 'array') return [value, 1];
      if (arg.at === 'object') return { x: value };
      return value;
    });
  }

  /** Submits to both; a submission the scheduler must refuse is checked to queue nothing. */
  submit(sub: Submission): void {
    this.#replay();
    const k = this.futures.length;
    const spec = this.scenario.queues[sub.queue] as QueueSpec;
    const resources: Record<string, number> = {};
    RESOURCES.forEach((name, r) => {
      if ((spec.totals[r] ?? 0) > 0) resources[name] = sub.demand[r] ?? 0;
    });
    if (sub.refusal === 'missing-resource') resources.missing = 1;
    if (sub.refusal === 'too-much') resources.a = (spec.totals[0] ?? 0) + 1;
    const controller = sub.signal ? new AbortController() : undefined;
    const options: TaskOptions = {
      name: `t${k}`,
      resources,
      hold: sub.hold,
      retries: sub.retries,
      ...(sub.timeout === undefined ? {} : { timeout: sub.timeout }),
      ...(sub.release.length > 0
        ? { release: sub.release.map((h) => this.futures[h] as Future<unknown>) }
        : {}),
      ...(sub.after.length > 0 ? { after: sub.after.map((d) => this.#future(d)) } : {}),
      ...(controller === undefined ? {} : { signal: controller.signal }),
    };
    const fn = sub.generator ? async function* () {} : () => undefined;
    if (sub.generator && sub.declared !== undefined) {
      const declared = sub.declared;
      Object.assign(fn, { numberOfResults: () => declared });
    }
    const args = sub.args.map((arg) => this.#arg(arg));
    const submitter = (this.queues[sub.queue] as Queue).options(options);
    // The arguments are built at run time, so their types cannot be checked here.
    const submitAny = submitter.submit as unknown as (
      f: unknown,
      ...a: unknown[]
    ) => Future<unknown>;
    if (sub.refusal !== undefined) {
      const before = JSON.stringify(this.sch.stats());
      const expected =
        sub.refusal === 'too-much'
          ? RangeError
          : sub.refusal === 'release-not-held'
            ? TypeError
            : Error;
      assert.throws(
        () => submitAny(fn, ...args),
        (e) => e instanceof expected,
      );
      assert.equal(JSON.stringify(this.sch.stats()), before, 'a refused submission queues nothing');
      return;
    }
    this.plans[k] = sub.plan;
    this.submissions[k] = sub;
    this.controllers[k] = controller;
    this.futures.push(submitAny(fn, ...args));
    const deps: Dep[] = [];
    for (const arg of sub.args) if (arg.at !== 'plain') deps.push(arg.dep);
    for (const held of sub.release) deps.push({ task: held });
    deps.push(...sub.after);
    this.model.submit({
      queue: sub.queue,
      generator: sub.generator,
      deps,
      demand: sub.demand,
      hold: sub.hold,
      releases: sub.release,
      retries: sub.retries,
      timeout: sub.timeout,
      declared: sub.generator ? sub.declared : undefined,
    });
  }

  /** The attempts the test can settle now, oldest first. */
  openRuns(): FakeRun[] {
    return [...this.#open.values()];
  }

  /** Ends a running attempt: a value (or the generator's end), or a rejection. */
  complete(run: FakeRun, how: 'value' | 'error' | 'non-error'): void {
    this.#replay();
    this.#open.delete(run);
    run.ended = true;
    const k = run.task;
    if (this.model.isZombie(k, run.info.attempt)) {
      // Its outcome was decided by its timeout: returning only frees its slot.
      this.model.zombieReturned(k, run.info.attempt);
      if (how === 'value') run.gate?.resolve(taskValue(k));
      else run.gate?.reject(new Error(`t${k} returns late`));
      return;
    }
    if (how === 'value') {
      this.model.succeed(k);
      run.gate?.resolve(taskValue(k));
      return;
    }
    const thrown =
      how === 'error' ? new Error(`t${k} attempt ${run.info.attempt} fails`) : nonError(k);
    this.model.fail(k, thrown);
    run.gate?.reject(thrown);
  }

  /** A running generator yields its next item. */
  async yieldItem(run: FakeRun): Promise<void> {
    this.#replay();
    const k = run.task;
    if (this.model.isZombie(k, run.info.attempt)) {
      assert.equal(run.sink?.('late'), false, `t${k}: a timed-out attempt adds no items`);
      return;
    }
    const task = this.model.task(k);
    const index = task.yielded - task.replayLeft; // a retry yields its items from the first
    const expected = this.model.yieldItem(k);
    const accepted = run.sink?.(itemValue(k, index));
    assert.equal(accepted, expected, `t${k}: the sink takes item ${index}: ${expected}`);
    // Told to stop (past its declared count), a generator's driver returns: so does the test,
    // once the scheduler had its turn (the items before may have made dependents ready).
    if (!expected) {
      await this.settle();
      this.complete(run, 'value');
    }
  }

  abort(k: number): void {
    this.#replay();
    this.model.abort(k);
    this.controllers[k]?.abort(new Error(`t${k} aborted by the test`));
  }

  start(): void {
    this.#replay();
    this.model.start();
    this.sch.start();
  }

  stop(): void {
    this.#replay();
    this.model.stop();
    this.stops.push(track(this.sch.stop()));
  }

  wait(): void {
    this.waits.push(track(this.sch.wait()));
  }

  /** Moves the fake clock on by `ms`, a millisecond at a time, letting the scheduler react. */
  async tick(ms: number): Promise<void> {
    for (let i = 0; i < ms; i++) {
      this.#replay();
      this.model.now++;
      this.clock.tick(1);
      await this.settle();
    }
  }

  /**
   * Lets the real scheduler react (microtasks and a few event-loop turns), replays its starts
   * into the model, and checks every invariant.
   */
  async settle(): Promise<void> {
    for (let turn = 0; turn < 50; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.#replay();
      if (this.model.firstStartable() === undefined) break;
    }
    this.check();
  }

  /**
   * Replays the starts (and outcomes of sync runs) and timeouts logged since the last replay.
   * Every action replays first, so the model takes each start on the state it was made on.
   */
  #replay(): void {
    while (this.#replayed < this.log.length) {
      const event = this.log[this.#replayed++] as FakeEvent;
      const run = event.run;
      const k = run.task;
      if (event.kind === 'abort') {
        if (event.reason instanceof TimeoutError) {
          assert.equal(
            event.reason.task.id,
            this.futures[k]?.id,
            'the TimeoutError names its task',
          );
          const wrong = this.model.timedOut(k);
          assert.equal(wrong, undefined, wrong);
        }
        continue; // a user's abort was told to the model by the test
      }
      const task = this.model.task(k);
      assert.equal(run.info.attempt, task.attempt, `t${k}: attempt number`);
      assert.deepEqual(run.args, this.#expectedArgs(k), `t${k}: resolved arguments`);
      const id = (this.futures[k] as Future<unknown>).id;
      this.#attempts.set(id, (this.#attempts.get(id) ?? 0) + 1);
      const wrong = this.model.observeStart(k);
      assert.equal(wrong, undefined, wrong);
      const outcome = run.syncOutcome;
      if (outcome === undefined) this.#open.add(run);
      else if (outcome.ok) this.model.succeed(k);
      else this.model.fail(k, outcome.value);
    }
  }

  /** Every invariant of the state after a step. */
  check(): void {
    const waiting = this.model.firstStartable();
    assert.equal(waiting, undefined, `t${waiting?.id} is startable but was not started`);
    const overdue = this.model.overdue().map((t) => t.id);
    assert.deepEqual(overdue, [], 'every attempt past its timeout timed out');
    assert.equal(
      this.#open.size,
      this.model.running().length + this.model.zombies.length,
      'functions running',
    );
    this.futures.forEach((future, k) => {
      const task = this.model.task(k);
      assert.equal(modelStatus(future.status), task.status, `t${k} (id ${future.id}): status`);
      const ends = this.ends.get(future.id) ?? 0;
      const settled =
        task.status === 'done' || task.status === 'failed' || task.status === 'cancelled';
      assert.equal(ends, settled ? 1 : 0, `t${k}: task:end events`);
      const runs = this.#attempts.get(future.id) ?? 0;
      assert.equal(this.announced.get(future.id) ?? 0, runs, `t${k}: a task:start per attempt`);
      if (settled && !this.#checked.has(k)) {
        this.#checked.add(k);
        checkOutcome(k, task, future, this.futures);
      }
    });
    checkCounts(this.sch, this.model);
    checkOccupants(this.sch, this.futures, this.model);
    if (this.#open.size === 0) {
      for (const stop of this.stops) assert.equal(stop.state, 'resolved', 'stop() resolved');
    }
  }

  /**
   * Ends the run: starts (again, after a stop or a failFast halt) and completes every running
   * task with a value until nothing runs; then `wait()` must settle: resolved or failing with
   * exactly the failed tasks' errors, or rejected with DeadlockError when tasks remain (held
   * slots never released).
   */
  async drain(): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      if (!this.model.started || this.model.halted) {
        this.start();
        await this.settle();
        continue;
      }
      const run = this.openRuns()[0];
      if (run === undefined) break;
      this.complete(run, 'value');
      await this.settle();
    }
    const final = track(this.sch.wait());
    this.waits.push(final);
    await this.settle();
    checkWaits(this.waits, final, this.model, this.futures);
  }
}

/** A thrown value that is not an Error, varied by task. */
function nonError(k: number): unknown {
  const kinds = [`t${k} string`, undefined, { code: k }, k, null];
  return kinds[k % kinds.length];
}
