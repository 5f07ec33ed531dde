/**
 * The executor conformance suite: the same behavioural tests (values, errors, generators,
 * currentTask, abort, crash) for every executor. Each executor's test file calls
 * `conformance(name, make, traits)`; the traits say what the executor can do at all (an inline
 * task cannot be ended from outside, so its crash and termination tests do not apply).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Executor, Queue, Scheduler, type WorkerOptions } from '../../src/index.js';
import { faultTests } from './conformance-faults.js';
import { valueTests } from './conformance-values.js';

/** What an executor can do, beyond what every executor must. */
export interface ExecutorTraits {
  /**
   * Tasks run apart from the scheduler: a crash fails only the task, and a task that ignores
   * its abort signal is ended after the grace period.
   */
  readonly isolated: boolean;
  /** A crash can be a signal (child processes), not only an exit code. */
  readonly signals: boolean;
  /** Buffers in results are moved out of the worker rather than copied. */
  readonly movesResults: boolean;
  /** Plain functions (closures) run too, not only task references. */
  readonly runsClosures: boolean;
}

/** Makes a fresh executor for one test. */
export type ExecutorFactory = (options?: WorkerOptions) => Executor;

/** Registers the conformance tests for one executor. */
export function conformance(name: string, make: ExecutorFactory, traits: ExecutorTraits): void {
  describe(`${name} executor conformance`, () => {
    valueTests(make);
    faultTests(make, traits);
    test(traits.runsClosures ? 'runs closures too' : 'refuses closures at submit', async () => {
      const sch = new Scheduler();
      const Q = new Queue(sch, { concurrency: 1, executor: make() });
      if (traits.runsClosures) {
        const f = Q.submit((x: number) => x + 1, 1);
        sch.start();
        assert.equal(await f, 2);
      } else {
        assert.throws(
          () => Q.submit((x: number) => x + 1, 1),
          (e) => e instanceof TypeError && /task\(new URL/.test(e.message),
        );
        assert.equal(sch.stats().total.waiting, 0, 'nothing was queued');
      }
      await sch.close();
    });
  });
}
