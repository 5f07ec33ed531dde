/**
 * `smqsched/cluster`: the cluster executor and its worker, on BullMQ and Redis. A separate
 * entry so that users of the core never load BullMQ. See docs/cluster.md.
 *
 * @packageDocumentation
 */
export { cluster } from './cluster-executor.js';
export { ClusterWorker, type ClusterWorkerOptions } from './cluster-worker.js';
export type { ClusterOptions } from './options.js';
