/**
 * The plain BullMQ worker the cluster bench compares `smqsched worker` with: the same setup (one
 * process, one ioredis connection given to the Worker, the given concurrency), a processor that
 * returns the job's data. `node bench/cluster-peer-worker.mjs URL QUEUE CONCURRENCY`; prints
 * `serving` when ready; SIGTERM closes it.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [url, queue, concurrency] = process.argv.slice(2);
const connection = new Redis(url, { maxRetriesPerRequest: null });
const worker = new Worker(queue, async (job) => job.data, {
  connection,
  concurrency: Number(concurrency),
});
worker.on('error', (error) => console.error(error.message));
await worker.waitUntilReady();
console.log('serving');
process.once('SIGTERM', async () => {
  await worker.close();
  connection.disconnect();
});
