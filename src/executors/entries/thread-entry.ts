/**
 * The entry of a `threads()` worker (loaded by Piscina): runs one task per call, streams a
 * generator's items through the task's port, and follows aborts on the pool's channel.
 *
 * @module
 */
import {
  BroadcastChannel,
  type MessagePort,
  receiveMessageOnPort,
  workerData,
} from 'node:worker_threads';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import {
  fromWire,
  type StreamMessage,
  type TaskOutcome,
  type ThreadTask,
  toWire,
  transferablesOf,
  type WireError,
} from '../wire.js';
import { WorkerRuntime } from '../worker-runtime.js';

const runtime = new WorkerRuntime();
const aborts = new BroadcastChannel((workerData as { abortChannel: string }).abortChannel);
aborts.onmessage = (event) => {
  const data = (event as { data: 'hello' | { key: number; reason: WireError } }).data;
  if (data !== 'hello') runtime.abort(data.key, fromWire(data.reason)); // hellos are for the pool
};
aborts.unref();
// Aborts broadcast before this channel existed were lost: ask for them again.
aborts.postMessage('hello');

/** The outcome, with the buffers of its value moved rather than copied. */
function movable(outcome: TaskOutcome): unknown {
  if (!outcome.ok) return outcome;
  let buffers: ArrayBuffer[];
  try {
    buffers = transferablesOf(outcome.value);
  } catch (error) {
    return { ok: false, error: toWire(error) } satisfies TaskOutcome;
  }
  if (buffers.length === 0) return outcome;
  return move({ [transferableSymbol]: buffers, [valueSymbol]: outcome } as never);
}

async function stream(task: ThreadTask, port: MessagePort): Promise<null> {
  let stopped = false;
  const outcome = await runtime.run(task, (value) => {
    const message: StreamMessage = { kind: 'item', value };
    port.postMessage(message, transferablesOf(value));
    stopped ||= receiveMessageOnPort(port) !== undefined;
    return !stopped;
  });
  const end: StreamMessage = { kind: 'end', outcome };
  port.postMessage(end);
  port.close();
  return null;
}

export default async function runTask(task: ThreadTask): Promise<unknown> {
  if (task.port !== undefined) return stream(task, task.port);
  return movable(await runtime.run(task));
}
