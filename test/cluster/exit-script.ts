/**
 * Runs one cluster task and closes the scheduler, leaving the process to exit on its own: a
 * connection left open would keep it alive (cluster.test.ts runs it with a time limit).
 * Arguments: the Redis URL and the queue name.
 */
import { cluster } from '../../src/cluster/index.js';
import { Queue, Scheduler } from '../../src/index.js';
import { invert } from './cluster-refs.js';

const [url = '', queueName = ''] = process.argv.slice(2);
const sch = new Scheduler();
const Q = new Queue(sch, { executor: cluster({ connection: url, queueName }) });
const inverse = Q.submit(invert, { n: 1, data: new Float64Array([0.25]) });
sch.start();
const value = await inverse;
await sch.close();
process.stdout.write(`result ${value.data[0]}; closed\n`);
