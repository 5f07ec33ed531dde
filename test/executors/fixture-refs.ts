/**
 * Task references to the conformance fixtures (test/fixtures/conformance-tasks.ts), typed from
 * the module itself so that the suite also checks `task<F>()` typing.
 */
import { task } from '../../src/index.js';
import type * as T from '../fixtures/conformance-tasks.js';

/** The fixture module. Under tsx workers load the `.ts` file itself. */
export const FIXTURES = new URL('../fixtures/conformance-tasks.ts', import.meta.url);

export const add = task<typeof T.add>(FIXTURES, 'add');
export const addLater = task<typeof T.addLater>(FIXTURES, 'addLater');
export const echo = task<typeof T.echo<unknown>>(FIXTURES, 'echo');
export const describeShape = task<typeof T.describe>(FIXTURES, 'describe');
export const fail = task<typeof T.fail>(FIXTURES, 'fail');
export const throwString = task<typeof T.throwString>(FIXTURES, 'throwString');
export const whoami = task<typeof T.whoami>(FIXTURES, 'whoami');
export const squares = task<typeof T.squares>(FIXTURES, 'squares', {
  generator: true,
  numberOfResults: (n) => n as number,
});
export const squaresOverDeclared = task<typeof T.squares>(FIXTURES, 'squares', {
  generator: true,
  numberOfResults: (n) => (n as number) + 1,
});
export const squaresUnderDeclared = task<typeof T.squares>(FIXTURES, 'squares', {
  generator: true,
  numberOfResults: (n) => (n as number) - 2,
});
export const squaresOpen = task<typeof T.squares>(FIXTURES, 'squares', { generator: true });
export const countUp = task<typeof T.countUp>(FIXTURES, 'countUp', { generator: true });
export const failAfter = task<typeof T.failAfter>(FIXTURES, 'failAfter', { generator: true });
export const gated = task<typeof T.gated>(FIXTURES, 'gated', { generator: true });
export const untilAborted = task<typeof T.untilAborted>(FIXTURES, 'untilAborted');
export const spin = task<typeof T.spin>(FIXTURES, 'spin');
export const exit = task<typeof T.exit>(FIXTURES, 'exit');
export const killSelf = task<typeof T.killSelf>(FIXTURES, 'killSelf');
export const exitOnFirstAttempt = task<typeof T.exitOnFirstAttempt>(FIXTURES, 'exitOnFirstAttempt');
export const makeArray = task<typeof T.makeArray>(FIXTURES, 'makeArray');
export const keptByteLength = task<typeof T.keptByteLength>(FIXTURES, 'keptByteLength');
export const returnFunction = task<typeof T.returnFunction>(FIXTURES, 'returnFunction');
export const notAFunction = task(FIXTURES, 'notAFunction');
/** A generator function declared as a plain one, and a plain function declared a generator. */
export const squaresUndeclared = task<(n: number) => unknown>(FIXTURES, 'squares');
export const addAsGenerator = task<(a: number, b: number) => Generator<number>>(FIXTURES, 'add', {
  generator: true,
});
export const missing = task(FIXTURES, 'noSuchExport');
