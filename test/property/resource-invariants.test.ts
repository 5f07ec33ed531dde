import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DeadlockError, type Future, Queue, Scheduler, TaskFailedError } from '../../src/index.js';
import { type Deferred, deferred, watch } from '../helpers/deferred.js';

/**
 * Invariants of resources and hold/release on random graphs: random resources per queue, random
 * requests per task, random held tasks each with a releaser, tasks that end or throw in an order
 * fast-check chooses. Task bodies record the usage they see when they start; `sch.explain()`
 * shows the scheduler's own counters at every quiet point.
 *
 * Held tasks go to queue 0 only, their releasers (which depend on nothing else) to the other
 * queues, which never hold: a releaser can always run in the end, so no graph here deadlocks.
 */

const NAMES = ['a', 'b'] as const;

interface QueueSpec {
  concurrency: number;
  /** Total of each of NAMES; 0: the queue lacks it. */
  totals: number[];
}

interface TaskSpec {
  parents: number[];
  queue: number;
  /** Raw draws, reduced to 0..total of the task's queue. */
  demand: number[];
  fails: boolean;
  hold: boolean;
  releaserQueue: number;
  releaserDemand: number[];
  releaserFails: boolean;
  /** The releaser is submitted this many tasks after the held one. */
  releaserDelay: number;
}

interface Scenario {
  queues: QueueSpec[];
  tasks: TaskSpec[];
  /** Submissions made before `start()`; the rest are made while running. */
  startAfter: number;
}

const draw = fc.array(fc.nat(3), { minLength: NAMES.length, maxLength: NAMES.length });
const rare = (n: number) => fc.nat(n - 1).map((x) => x === 0);
const scenarioArbitrary: fc.Arbitrary<Scenario> = fc.record({
  queues: fc.array(
    fc.record({
      concurrency: fc.integer({ min: 1, max: 3 }),
      totals: fc.array(fc.nat(3), { minLength: NAMES.length, maxLength: NAMES.length }),
    }),
    { minLength: 2, maxLength: 3 },
  ),
  tasks: fc
    .array(
      fc.record({
        parents: fc.array(fc.oneof(fc.nat(2), fc.nat()), { maxLength: 3 }),
        queue: fc.nat(),
        demand: draw,
        fails: rare(8),
        hold: rare(3),
        releaserQueue: fc.nat(),
        releaserDemand: draw,
        releaserFails: rare(8),
        releaserDelay: fc.nat(3),
      }),
      { minLength: 1, maxLength: 60 },
    )
    .map((tasks) =>
      tasks.map((task, i) => ({
        ...task,
        parents: i === 0 ? [] : task.parents.map((offset) => i - 1 - (offset % i)),
      })),
    ),
  startAfter: fc.nat(90),
});

/** What the task bodies of one queue saw: bodies running, tasks holding, resources used. */
interface Seen {
  running: number;
  holding: number;
  used: number[];
}

/** Lets the scheduler react; repeated while a task is startable (a dispatch pass is due). */
async function settle(unfinished: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100; turn++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!unfinished()) return;
  }
}

class ResourceRun {
  readonly sch = new Scheduler();
  readonly queues: Queue[];
  readonly futures: Future<unknown>[] = [];
  readonly thrown: Error[] = [];
  readonly problems: string[] = [];
  readonly #gates = new Map<string, Deferred<void>>();
  readonly #seen: Seen[];
  /** How many times each body started, by label. */
  readonly starts = new Map<string, number>();

  constructor(readonly scenario: Scenario) {
    this.queues = scenario.queues.map(
      (spec, q) =>
        new Queue(this.sch, {
          concurrency: spec.concurrency,
          name: `q${q}`,
          resources: Object.fromEntries(
            NAMES.map((name, r) => [name, spec.totals[r] ?? 0]).filter(([, t]) => t !== 0),
          ),
        }),
    );
    this.#seen = scenario.queues.map(() => ({ running: 0, holding: 0, used: NAMES.map(() => 0) }));
  }

  #demand(q: number, draws: readonly number[]): number[] {
    const totals = this.scenario.queues[q]?.totals ?? [];
    return NAMES.map((_, r) => (draws[r] ?? 0) % ((totals[r] ?? 0) + 1));
  }

  /** A request for `demand` on queue q (naming only resources the queue has). */
  #resources(q: number, demand: readonly number[]): Record<string, number> {
    const totals = this.scenario.queues[q]?.totals ?? [];
    return Object.fromEntries(
      NAMES.map((name, r) => [name, demand[r] ?? 0]).filter((_, r) => (totals[r] ?? 0) > 0),
    );
  }

  /** A gated body: checks and records what it takes, and gives it back (or holds it) at its end. */
  #body(label: string, q: number, demand: number[], fails: boolean, ends: (ok: boolean) => void) {
    return async (..._args: unknown[]): Promise<string> => {
      this.starts.set(label, (this.starts.get(label) ?? 0) + 1);
      const { concurrency, totals } = this.scenario.queues[q] as QueueSpec;
      const seen = this.#seen[q] as Seen;
      const taken = ++seen.running + seen.holding;
      if (taken > concurrency) this.problems.push(`${label}: ${taken} of ${concurrency} on q${q}`);
      demand.forEach((amount, r) => {
        const used = (seen.used[r] ?? 0) + amount;
        seen.used[r] = used;
        if (used > (totals[r] ?? 0)) this.problems.push(`${label}: ${NAMES[r]} ${used} on q${q}`);
      });
      const gate = deferred();
      this.#gates.set(label, gate);
      let ok = false;
      try {
        await gate.promise;
        if (fails) {
          const error = new Error(`${label} throws`);
          this.thrown.push(error);
          throw error;
        }
        ok = true;
        return label;
      } finally {
        seen.running--;
        ends(ok);
      }
    };
  }

  #giveBack(q: number, demand: readonly number[]): void {
    const used = (this.#seen[q] as Seen).used;
    demand.forEach((amount, r) => {
      used[r] = (used[r] ?? 0) - amount;
    });
  }

  /** Submits the scenario, starting the scheduler after `startAfter` submissions. */
  async submitAll(): Promise<void> {
    const { tasks, queues, startAfter } = this.scenario;
    const pending: { due: number; submit: () => void }[] = [];
    let submitted = 0;
    const one = async (submit: () => void): Promise<void> => {
      if (submitted++ === startAfter) this.sch.start();
      submit();
      if (this.sch.running) await this.settle();
    };
    const byTask: Future<unknown>[] = [];
    for (let i = 0; i < tasks.length; i++) {
      const spec = tasks[i] as TaskSpec;
      const q = spec.hold ? 0 : spec.queue % queues.length;
      const demand = this.#demand(q, spec.demand);
      const hold = spec.hold;
      let holding = false;
      const ends = (ok: boolean): void => {
        if (hold && ok) {
          holding = true;
          (this.#seen[0] as Seen).holding++;
        } else this.#giveBack(q, demand);
      };
      const body = this.#body(`t${i}`, q, demand, spec.fails, ends);
      const deps = spec.parents.map((p) => byTask[p] as Future<unknown>);
      await one(() => {
        const options = { name: `t${i}`, hold, resources: this.#resources(q, demand) };
        const future = (this.queues[q] as Queue).options(options).submit(body, ...deps);
        byTask.push(future);
        this.futures.push(future);
      });
      if (hold) {
        const rq = 1 + (spec.releaserQueue % (queues.length - 1));
        const rDemand = this.#demand(rq, spec.releaserDemand);
        const released = (): void => {
          if (!holding) return;
          holding = false;
          (this.#seen[0] as Seen).holding--;
          this.#giveBack(0, demand);
        };
        const held = byTask[i] as Future<unknown>;
        const rBody = this.#body(`r${i}`, rq, rDemand, spec.releaserFails, () => {
          this.#giveBack(rq, rDemand);
          released();
        });
        const releaser = (...args: unknown[]): Promise<string> => {
          if (held.status !== 'done') this.problems.push(`r${i} started before t${i} was done`);
          return rBody(...args);
        };
        pending.push({
          due: i + spec.releaserDelay,
          submit: () => {
            const resources = this.#resources(rq, rDemand);
            const options = { name: `r${i}`, release: held, resources };
            this.futures.push((this.queues[rq] as Queue).options(options).submit(releaser, held));
          },
        });
      }
      for (const p of pending.filter((p) => p.due <= i)) await one(p.submit);
      pending.splice(0, pending.length, ...pending.filter((p) => p.due > i));
    }
    for (const p of pending) await one(p.submit);
    if (!this.sch.running) this.sch.start();
    await this.settle();
  }

  /** Settles, then reads the scheduler's counters through explain(). */
  async settle(): Promise<void> {
    await settle(() => this.#explainAll(false));
    this.#explainAll(true);
  }

  /** Checks every unsettled task's explanation; true if one is startable (a pass is due). */
  #explainAll(record: boolean): boolean {
    let startable = false;
    for (const future of this.futures) {
      const why = this.sch.explain(future);
      const q = this.queues.findIndex((queue) => queue.name === why.queue);
      if (why.reason === 'startable') startable = true;
      if (!record) continue;
      if (why.reason === 'startable') this.problems.push(`${why.name} startable but not started`);
      const slots = this.scenario.queues[q]?.concurrency;
      const seen = this.#seen[q] as Seen;
      const taken = seen.running + seen.holding;
      if (why.reason === 'queue-full' && (why.occupants?.length !== slots || taken !== slots))
        this.problems.push(`q${q} full with ${why.occupants?.length} occupants, ${taken} seen`);
      for (const r of why.resources ?? []) {
        const used = seen.used[NAMES.indexOf(r.name as 'a')] ?? 0;
        if (r.free < 0 || r.free > r.total || r.free !== r.total - used)
          this.problems.push(`${r.name} on q${q}: ${r.free} free of ${r.total}, ${used} used`);
      }
    }
    return startable;
  }

  /** Lets one running body end, as `pick` chooses; false if none runs. */
  async endOne(pick: number): Promise<boolean> {
    const labels = [...this.#gates.keys()];
    const label = labels[pick % Math.max(labels.length, 1)];
    if (label === undefined) return false;
    this.#gates.get(label)?.resolve();
    this.#gates.delete(label);
    await this.settle();
    return true;
  }

  /** Every queue can again run `concurrency` tasks at once, the first taking all resources. */
  async checkAllGivenBack(): Promise<void> {
    const gates: Deferred<void>[] = [];
    const tasks: Future<void>[] = [];
    this.queues.forEach((queue, q) => {
      const spec = this.scenario.queues[q] as QueueSpec;
      for (let k = 0; k < spec.concurrency; k++) {
        const gate = deferred();
        gates.push(gate);
        const resources = k === 0 ? this.#resources(q, spec.totals) : {};
        tasks.push(queue.options({ resources }).submit(() => gate.promise));
      }
    });
    // A dispatch pass that outran its time slice goes on in a later turn (under load, or a
    // slow clock): give it turns while a task is not running yet, so that only a slot or a
    // resource really lost (never started in 100 turns) fails the check.
    await settle(() => tasks.some((t) => t.status !== 'running'));
    const statuses = tasks.map((t) => t.status);
    for (const gate of gates) gate.resolve();
    await this.sch.wait();
    assert.ok(
      statuses.every((s) => s === 'running'),
      `all slots and resources came back: ${statuses}`,
    );
  }
}

describe('resources and hold/release on random graphs', () => {
  // Once failed under CPU load (seed -1212470476, path 187: "all slots and resources came
  // back" was false), not on replay. The slots were not lost: checkAllGivenBack looked after a
  // single event-loop turn, and a dispatch pass that outran its 8 ms time slice starts the
  // rest in the next turn. A clock that runs fast reproduces it every time (see
  // test/reliability/slow-clock.test.ts); the check now waits for the pass to finish.
  it('usage stays within totals and slots (held ones included); every task ends', async () => {
    await fc.assert(
      fc.asyncProperty(
        scenarioArbitrary,
        fc.array(fc.nat(), { maxLength: 150 }),
        async (scenario, picks) => {
          const run = new ResourceRun(scenario);
          await run.submitAll();
          const waited = watch(run.sch.wait());
          for (let step = 0; await run.endOne(picks[step] ?? 0); step++);
          assert.deepEqual(run.problems, []);
          const open = run.futures.filter((f) => !/done|failed|cancelled/.test(f.status));
          assert.equal(open.map((f) => f.name).join(), '', 'every task ended');
          assert.ok(
            [...run.starts.values()].every((n) => n === 1),
            'no task ran twice',
          );
          assert.ok(!(waited.error instanceof DeadlockError), `no deadlock: ${waited.error}`);
          if (run.thrown.length === 0) assert.equal(waited.state, 'fulfilled');
          else {
            assert.ok(waited.error instanceof TaskFailedError, `wait(): ${waited.state}`);
            assert.deepEqual(new Set(waited.error.errors), new Set(run.thrown));
          }
          await run.checkAllGivenBack();
        },
      ),
      { numRuns: 200, includeErrorInReport: true },
    );
  });
});
