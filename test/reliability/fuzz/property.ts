import assert from 'node:assert/strict';
import { mock } from 'node:test';
import fc from 'fast-check';
import { commandArbitraries, scenarioArbitrary } from './commands.js';
import { FuzzRun } from './harness.js';

/**
 * The fuzzing property: a random scenario (queues, concurrency, resources, failFast) and a
 * random sequence of commands, run against the real scheduler and the model with every
 * invariant checked after every step, then drained. No promise rejection may go unhandled.
 * `replayPath` is the commands' own replay path (the `replayPath` fast-check prints in a
 * counterexample), which a replay needs besides the seed and path.
 */
export function fuzzProperty(maxCommands: number, replayPath?: string) {
  const replay = replayPath === undefined ? {} : { replayPath };
  return fc.asyncProperty(
    scenarioArbitrary,
    fc.commands(commandArbitraries, { maxCommands, size: 'max', ...replay }),
    async (scenario, commands) => {
      const unhandled: unknown[] = [];
      const onRejection = (reason: unknown): void => {
        unhandled.push(reason);
      };
      process.on('unhandledRejection', onRejection);
      // Timeouts run on a fake clock that the commands move (setImmediate stays real).
      mock.timers.enable({ apis: ['setTimeout'] });
      try {
        const run = new FuzzRun(scenario, mock.timers);
        await fc.asyncModelRun(() => ({ model: run, real: run }), commands);
        await run.drain();
        await new Promise<void>((resolve) => setImmediate(resolve));
        assert.deepEqual(unhandled, [], 'no unhandled rejection');
      } finally {
        mock.timers.reset();
        process.off('unhandledRejection', onRejection);
      }
    },
  );
}
