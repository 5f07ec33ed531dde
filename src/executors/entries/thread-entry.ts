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
  isWireError,
  type StreamMessage,
  type TaskOutcome,
  type TaskRequest,
  type ThreadTask,
  type ThreadTaskError,
  toWire,
  transferablesOf,
} from '../wire.js';
import { itemNotCopied, resultNotCopied, WorkerRuntime } from '../worker-runtime.js';

const runtime = new WorkerRuntime();
const aborts = new BroadcastChannel((workerData as { abortChannel: string }).abortChannel);
aborts.onmessage = (event) => {
  // Hellos are for the pool. Anyone in the pool's threads can post on this channel (a task
  // can open it by name), so only an abort's shape is acted on.
  const data = (event as { data: unknown }).data;
  if (data === null || typeof data !== 'object') return;
  const { key, reason } = data as { key?: unknown; reason?: unknown };
  if (typeof key === 'number' && isWireError(reason)) runtime.abort(key, fromWire(reason));
};
aborts.unref();
// Aborts broadcast before this channel existed were lost: ask for them again.
aborts.postMessage('hello');

function thrownFrom(error: unknown): ThreadTaskError {
  return { smqschedTaskError: toWire(error) };
}

/**
 * The task's value, with the buffers in it moved rather than copied; a failure is thrown as a
 * `ThreadTaskError`, which Piscina hands to the scheduler as the task's rejection. A value
 * found not to be copyable (a function, a Proxy, a getter that throws) fails the task here,
 * before Piscina would fail to post it and lose the thread.
 */
function settle(request: TaskRequest, outcome: TaskOutcome): unknown {
  if (!outcome.ok) throw { smqschedTaskError: outcome.error } satisfies ThreadTaskError;
  let buffers: ArrayBuffer[];
  try {
    buffers = transferablesOf(outcome.value);
  } catch (error) {
    throw thrownFrom(resultNotCopied(request, 'thread', error));
  }
  if (buffers.length === 0) return outcome.value;
  return move({ [transferableSymbol]: buffers, [valueSymbol]: outcome.value } as never);
}

async function stream(task: ThreadTask, port: MessagePort): Promise<null> {
  let stopped = false;
  let index = 0;
  const outcome = await runtime.run(task, (value) => {
    const message: StreamMessage = { kind: 'item', value };
    try {
      port.postMessage(message, transferablesOf(value));
    } catch (error) {
      throw itemNotCopied(task, index, 'thread', error);
    }
    index++;
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
  return outcome instanceof Promise
    ? outcome.then((done) => settle(task, done))
    : settle(task, outcome);
}
