/**
 * Task references to the hostile fixtures (test/fixtures/hostile-tasks.ts), for the wire's
 * tests and fuzzer.
 */
import { task } from '../../src/index.js';
import type * as H from '../fixtures/hostile-tasks.js';

/** The fixture module. Under tsx workers load the `.ts` file itself. */
export const HOSTILE = new URL('../fixtures/hostile-tasks.ts', import.meta.url);

export const act = task<typeof H.act>(HOSTILE, 'act');
export const yieldAll = task<typeof H.yieldAll>(HOSTILE, 'yieldAll', {
  generator: true,
  numberOfResults: (shapes) => (Array.isArray(shapes) ? shapes.length : undefined),
});
export const throwNamed = task<typeof H.throwNamed>(HOSTILE, 'throwNamed');
export const sendRaw = task<typeof H.sendRaw>(HOSTILE, 'sendRaw');
export const sendEach = task<typeof H.sendEach>(HOSTILE, 'sendEach');
export const add = task<typeof H.add>(HOSTILE, 'add');
export const later = task<typeof H.later<unknown>>(HOSTILE, 'later');
