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
  type ThreadTaskError,
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

/**
 * The task's value, with the buffers in it moved rather than copied; a failure is thrown as a
 * `ThreadTaskError`, which Piscina hands to the scheduler as the task's rejection.
 */
function settle(outcome: TaskOutcome): unknown {
  if (!outcome.ok) throw { smqschedTaskError: outcome.error } satisfies ThreadTaskError;
  let buffers: ArrayBuffer[];
  try {
    buffers = transferablesOf(outcome.value);
  } catch (error) {
    throw { smqschedTaskError: toWire(error) } satisfies ThreadTaskError;
  }
  if (buffers.length === 0) return outcome.value;
  return move({ [transferableSymbol]: buffers, [valueSymbol]: outcome.value } as never);
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

export default function runTask(task: ThreadTask): unknown {
  if (task.port !== undefined) return stream(task, task.port);
  const outcome = runtime.run(task);
  return outcome instanceof Promise ? outcome.then(settle) : settle(outcome);
}
