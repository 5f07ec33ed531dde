/**
 * How values cross Redis: `v8.serialize`, the structured clone algorithm that `processes()`
 * uses for its IPC channel, so a task sees the same values on every executor (typed arrays,
 * Dates, Maps, Sets, BigInts, `undefined`). msgpackr was measured against it (docs/cluster.md):
 * 2 µs against 8 µs for a small task's round trip, the same for a 80 kB matrix, but its
 * defaults turn Maps into plain objects; a few µs are nothing beside a Redis round trip, and v8
 * is built in and exact.
 *
 * @module
 */
import { deserialize, serialize } from 'node:v8';
import type { ClusterJob, Control, JobData, Reply } from './protocol.js';

/** Encodes a job's `data` (BullMQ stores it as JSON, so the bytes go as base64). */
export function encodeJob(reply: string, job: ClusterJob): JobData {
  return { reply, task: serialize(job).toString('base64') };
}

/** Decodes the task of a job's `data`. */
export function decodeJob(data: JobData): ClusterJob {
  return deserialize(Buffer.from(data.task, 'base64')) as ClusterJob;
}

/** Encodes a reply or a control message. */
export function encodeMessage(message: Reply | Control): Buffer {
  return serialize(message);
}

/** Decodes a reply or a control message. */
export function decodeMessage<M extends Reply | Control>(bytes: Buffer): M {
  return deserialize(bytes) as M;
}
