/** Task references to the cluster fixtures and the seed example's linear algebra. */

import type * as L from '../../examples/lib/linalg.js';
import { task } from '../../src/index.js';
import type * as C from '../fixtures/cluster-tasks.js';

/** The modules, as the workers are told them (paths from the repository's root). */
export const LINALG_PATH = 'examples/lib/linalg.ts';
export const CLUSTER_TASKS_PATH = 'test/fixtures/cluster-tasks.ts';

const LINALG = new URL('../../examples/lib/linalg.ts', import.meta.url);
const TASKS = new URL('../fixtures/cluster-tasks.ts', import.meta.url);

export const randomMatrix = task<typeof L.randomMatrix>(LINALG, 'randomMatrix');
export const invert = task<typeof L.invert>(LINALG, 'invert');
export const multiply = task<typeof L.multiply>(LINALG, 'multiply');
export const slow = task<typeof C.slow>(TASKS, 'slow');
export const ticker = task<typeof C.ticker>(TASKS, 'ticker', { generator: true });
export const broken = task<typeof C.broken>(TASKS, 'broken');
export const unserved = task<() => void>(TASKS, 'notServedAnywhere');
