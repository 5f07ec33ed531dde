/**
 * Runs one cluster task, then kills the Redis server (its pid is the third argument) and
 * closes the scheduler: close() must not wait for a Redis that is away, and the process must
 * then exit on its own. Arguments: the Redis URL, the queue name, the server's pid.
 */
import { cluster } from '../../src/cluster/index.js';
import { Queue, Scheduler } from '../../src/index.js';
import { invert } from './cluster-refs.js';

const [url = '', queueName = '', pid = ''] = process.argv.slice(2);
const sch = new Scheduler();
const Q = new Queue(sch, { executor: cluster({ connection: url, queueName }) });
const inverse = Q.submit(invert, { n: 1, data: new Float64Array([0.5]) });
sch.start();
const value = await inverse;
process.kill(Number(pid), 'SIGKILL');
await new Promise((resolve) => setTimeout(resolve, 200));
await sch.close();
process.stdout.write(`result ${value.data[0]}; closed without Redis\n`);
