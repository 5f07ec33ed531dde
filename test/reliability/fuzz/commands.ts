import fc from 'fast-check';
import type { FakeRun, RunPlan } from './fake-executor.js';
import {
  type ArgSpec,
  type FuzzRun,
  RESOURCES,
  type Scenario,
  type Submission,
} from './harness.js';
import type { Dep, QueueSpec } from './model.js';

/**
 * The fuzzer's commands. Each draws raw numbers and resolves them against the tasks that
 * exist when it runs (so shrinking never makes a sequence invalid), acts on the real
 * scheduler and the model together, then lets the scheduler react and checks every invariant.
 */

type Cmd = fc.AsyncCommand<FuzzRun, FuzzRun>;

/** Mostly a recent task (long chains), sometimes any earlier one. */
const pickArbitrary = fc.oneof(
  { arbitrary: fc.nat(3), weight: 3 },
  { arbitrary: fc.nat(), weight: 1 },
);

interface DepDraw {
  pick: number;
  /** Below 4: item `item` of a generator (4 items at most are yielded before it ends, often fewer). */
  item: number;
}

interface SubmitDraw {
  queue: number;
  generator: boolean;
  plan: number;
  args: (DepDraw & { at: number })[];
  after: DepDraw[];
  hold: boolean;
  release: boolean;
  /** Now and then (below 2): also release an earlier held task, released already or not. */
  releaseAlso: number;
  retries: number;
  /** Above 6: a timeout of (draw - 6) milliseconds of the fake clock. */
  timeout: number;
  /** Above 3: a generator declares (draw - 4) items with numberOfResults. */
  declared: number;
  signal: boolean;
  demand: number[];
  /** Asks for tenths (0.1 + 0.2 ...), where float sums drift. */
  tenths: boolean;
  bad: number;
}

const depDraw = { pick: pickArbitrary, item: fc.oneof(fc.nat(1), fc.nat(5)) };

const submitDraw: fc.Arbitrary<SubmitDraw> = fc.record({
  queue: fc.nat(),
  generator: fc.nat(3).map((x) => x === 0),
  plan: fc.nat(19),
  args: fc.array(fc.record({ ...depDraw, at: fc.nat(4) }), { maxLength: 3 }),
  after: fc.array(fc.record(depDraw), { maxLength: 1 }),
  hold: fc.nat(4).map((x) => x === 0),
  release: fc.nat(2).map((x) => x === 0),
  releaseAlso: fc.nat(9),
  retries: fc.nat(5).map((x) => (x < 4 ? 0 : x - 3)),
  timeout: fc.nat(9),
  declared: fc.nat(6),
  signal: fc.nat(5).map((x) => x === 0),
  demand: fc.array(fc.nat(30), { minLength: RESOURCES.length, maxLength: RESOURCES.length }),
  tenths: fc.nat(3).map((x) => x === 0),
  bad: fc.nat(29),
});

function depOf(run: FuzzRun, draw: DepDraw): Dep | undefined {
  const n = run.futures.length;
  if (n === 0) return undefined;
  const task = n - 1 - (draw.pick % n);
  if (run.submissions[task]?.generator && draw.item < 4) return { gen: task, index: draw.item };
  return { task };
}

function planOf(draw: SubmitDraw, k: number): RunPlan {
  if (draw.generator || draw.plan < 15) return { kind: 'async' };
  if (draw.plan < 18) return { kind: 'sync-value', value: `v${k}` };
  if (draw.plan === 18) return { kind: 'sync-throw', thrown: new Error(`t${k} throws at once`) };
  return { kind: 'sync-throw', thrown: k % 2 === 0 ? `t${k} throws a string` : { thrown: k } };
}

/** Resolves a draw against the run's tasks and queues. */
function resolveSubmission(run: FuzzRun, draw: SubmitDraw): Submission {
  const queues = run.scenario.queues;
  const queue = draw.queue % queues.length;
  const spec = queues[queue] as QueueSpec;
  const args: ArgSpec[] = draw.args.map((a, i) => {
    const dep = depOf(run, a);
    if (dep === undefined || a.at === 3) return { at: 'plain', value: i };
    return { at: a.at === 0 || a.at === 4 ? 'top' : a.at === 1 ? 'array' : 'object', dep };
  });
  const after = draw.after.flatMap((d) => depOf(run, d) ?? []);
  const held = run.submissions.flatMap((s, k) => (s.hold ? [k] : []));
  const released = new Set(run.submissions.flatMap((s) => s.release));
  const unreleased = held.find((k) => !released.has(k));
  const release = draw.release && unreleased !== undefined ? [unreleased] : [];
  const also = held[draw.releaseAlso % Math.max(held.length, 1)];
  if (draw.releaseAlso < 2 && also !== undefined && !release.includes(also)) release.push(also);
  let refusal: Submission['refusal'];
  if (draw.bad === 0) refusal = 'missing-resource';
  else if (draw.bad === 1 && (spec.totals[0] ?? 0) > 0) refusal = 'too-much';
  let releaseList = release;
  if (draw.bad === 2 && run.futures.length > 0) {
    const notHeld = run.submissions.findIndex((s) => !s.hold);
    if (notHeld >= 0) {
      refusal = 'release-not-held';
      releaseList = [notHeld];
    }
  }
  return {
    queue,
    generator: draw.generator,
    plan: planOf(draw, run.futures.length),
    args,
    after,
    hold: draw.hold,
    release: releaseList,
    retries: draw.retries,
    declared: draw.declared > 3 ? draw.declared - 4 : undefined,
    timeout: draw.timeout > 6 ? draw.timeout - 6 : undefined,
    signal: draw.signal,
    demand: spec.totals.map((total, r) =>
      draw.tenths
        ? ((draw.demand[r] ?? 0) % (total * 10 + 1)) / 10
        : (draw.demand[r] ?? 0) % (total + 1),
    ),
    refusal,
  };
}

class SubmitCommand implements Cmd {
  constructor(readonly draw: SubmitDraw) {}
  check(): boolean {
    return true;
  }
  async run(_m: FuzzRun, run: FuzzRun): Promise<void> {
    run.submit(resolveSubmission(run, this.draw));
    await run.settle();
  }
  toString(): string {
    return `submit(${JSON.stringify(this.draw)})`;
  }
}

const HOW = [
  'value',
  'value',
  'value',
  'value',
  'value',
  'value',
  'value',
  'error',
  'non-error',
] as const;

class CompleteCommand implements Cmd {
  constructor(
    readonly pick: number,
    readonly how: number,
  ) {}
  check(m: FuzzRun): boolean {
    return m.openRuns().length > 0;
  }
  async run(_m: FuzzRun, run: FuzzRun): Promise<void> {
    const open = run.openRuns();
    const chosen = open[this.pick % open.length] as FakeRun;
    // A generator yields a few more items first (its stream is then often long enough).
    if (chosen.sink !== undefined) {
      // Told to stop (past its declared count), the generator ends at once: see yieldItem.
      for (let i = (this.how >> 4) % 4; i > 0 && !chosen.ended; i--) await run.yieldItem(chosen);
      await run.settle(); // the items' dependents start before the generator ends
    }
    if (!chosen.ended) run.complete(chosen, HOW[this.how % HOW.length] ?? 'value');
    await run.settle();
  }
  toString(): string {
    return `complete(${this.pick}, ${HOW[this.how % HOW.length]})`;
  }
}

class YieldCommand implements Cmd {
  constructor(readonly pick: number) {}
  #generators(m: FuzzRun): FakeRun[] {
    return m.openRuns().filter((r) => r.sink !== undefined);
  }
  check(m: FuzzRun): boolean {
    return this.#generators(m).length > 0;
  }
  async run(_m: FuzzRun, run: FuzzRun): Promise<void> {
    const open = this.#generators(run);
    await run.yieldItem(open[this.pick % open.length] as FakeRun);
    await run.settle();
  }
  toString(): string {
    return `yield(${this.pick})`;
  }
}

class AbortCommand implements Cmd {
  constructor(readonly pick: number) {}
  #abortable(m: FuzzRun): number[] {
    return m.controllers.flatMap((c, k) => (c !== undefined && !c.signal.aborted ? [k] : []));
  }
  check(m: FuzzRun): boolean {
    return this.#abortable(m).length > 0;
  }
  async run(_m: FuzzRun, run: FuzzRun): Promise<void> {
    const abortable = this.#abortable(run);
    run.abort(abortable[this.pick % abortable.length] as number);
    await run.settle();
  }
  toString(): string {
    return `abort(${this.pick})`;
  }
}

class StartCommand implements Cmd {
  check(m: FuzzRun): boolean {
    return !m.model.started || m.model.halted;
  }
  async run(_m: FuzzRun, run: FuzzRun): Promise<void> {
    run.start();
    await run.settle();
  }
  toString(): string {
    return 'start()';
  }
}

class StopCommand implements Cmd {
  check(m: FuzzRun): boolean {
    return m.model.started;
  }
  async run(_m: FuzzRun, run: FuzzRun): Promise<void> {
    run.stop();
    await run.settle();
  }
  toString(): string {
    return 'stop()';
  }
}

class TickCommand implements Cmd {
  constructor(readonly ms: number) {}
  check(): boolean {
    return true;
  }
  async run(_m: FuzzRun, run: FuzzRun): Promise<void> {
    await run.tick(this.ms);
  }
  toString(): string {
    return `tick(${this.ms})`;
  }
}

class WaitCommand implements Cmd {
  check(): boolean {
    return true;
  }
  async run(_m: FuzzRun, run: FuzzRun): Promise<void> {
    run.wait();
    await run.settle();
  }
  toString(): string {
    return 'wait()';
  }
}

/** Every command, weighted towards submissions and completions. */
export const commandArbitraries: fc.Arbitrary<Cmd>[] = [
  ...repeat(
    5,
    submitDraw.map((d) => new SubmitCommand(d)),
  ),
  ...repeat(
    4,
    fc.tuple(fc.nat(), fc.nat()).map(([p, h]) => new CompleteCommand(p, h)),
  ),
  ...repeat(
    2,
    fc.nat().map((p) => new YieldCommand(p)),
  ),
  fc.nat().map((p) => new AbortCommand(p)),
  fc.constant(new StartCommand()),
  fc.constant(new StopCommand()),
  fc.constant(new WaitCommand()),
  ...repeat(
    2,
    fc.integer({ min: 1, max: 4 }).map((ms) => new TickCommand(ms)),
  ),
];

function repeat<T>(n: number, value: T): T[] {
  return Array.from({ length: n }, () => value);
}

export const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  queues: fc.array(
    fc.record({
      concurrency: fc.integer({ min: 1, max: 3 }),
      totals: fc.array(fc.nat(3), { minLength: RESOURCES.length, maxLength: RESOURCES.length }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  failFast: fc.nat(4).map((x) => x === 0),
});
