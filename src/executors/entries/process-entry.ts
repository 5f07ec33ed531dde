/**
 * The entry of a `processes()` worker (a child process started by the pool): runs the tasks the
 * scheduler sends over the IPC channel, one at a time, and exits when the channel closes.
 *
 * @module
 */
import type { FromWorker, ToWorker } from '../process-pool.js';
import {
  fromWire,
  isWireError,
  type TaskOutcome,
  type TaskRequest,
  toWire,
  transferablesOf,
} from '../wire.js';
import { itemNotCopied, resultNotCopied, WorkerRuntime } from '../worker-runtime.js';

const runtime = new WorkerRuntime();
/** Generator tasks told to stop yielding (a surplus item). */
const stopped = new Set<number>();

/** The channel's own `send`, kept before any task can replace `process.send`. */
const channelSend = process.send?.bind(process);

function send(message: FromWorker): void {
  channelSend?.(message);
}

/**
 * True for a message Node.js takes as its own on the IPC channel (`{ cmd: 'NODE_...' }`): the
 * scheduler's process never sees it as a message, and some of them make Node.js fail an
 * internal assertion there, which ends that process.
 */
function isNodeInternal(message: unknown): boolean {
  if (message === null || typeof message !== 'object') return false;
  try {
    const cmd = (message as { cmd?: unknown }).cmd;
    return typeof cmd === 'string' && cmd.startsWith('NODE_');
  } catch {
    return true; // cannot be told apart: refused
  }
}

/**
 * `process.send` as a task sees it: messages go to the scheduler, which ignores them (it acts
 * only on its protocol's messages), except what could reach Node.js's own handling there:
 * `{ cmd: 'NODE_...' }` messages and handles (sockets, servers), refused with a TypeError.
 */
function guardedSend(this: NodeJS.Process, message: unknown, ...rest: unknown[]): boolean {
  const handle = rest[0];
  if (isNodeInternal(message) || (handle !== undefined && typeof handle !== 'function')) {
    throw new TypeError(
      "process.send() in a processes() worker does not pass Node.js's internal messages ({ cmd: 'NODE_...' }) or handles: they would reach Node.js's own handling in the scheduler's process. Return, throw or yield from the task instead.",
    );
  }
  transferablesOf(message); // throws for what the scheduler's process could not read back
  return channelSend?.(message as never, ...(rest as [])) ?? false;
}
if (channelSend !== undefined) process.send = guardedSend as NonNullable<typeof process.send>;

/**
 * Sends the outcome; one whose value cannot be copied becomes the task's error. The value is
 * checked first: some values are written to the channel but fail to be read back in the
 * scheduler's process, which Node.js throws there as an uncaught exception.
 */
function sendOutcome(request: TaskRequest, outcome: TaskOutcome): void {
  const key = request.key;
  try {
    if (outcome.ok) transferablesOf(outcome.value);
    send({ kind: 'end', key, outcome });
  } catch (error) {
    const failure = resultNotCopied(request, 'process', error);
    send({ kind: 'end', key, outcome: { ok: false, error: toWire(failure) } });
  }
}

async function run(request: TaskRequest): Promise<void> {
  const key = request.key;
  let index = 0;
  const emit = (value: unknown): boolean => {
    try {
      transferablesOf(value);
      send({ kind: 'item', key, value });
    } catch (error) {
      throw itemNotCopied(request, index, 'process', error);
    }
    index++;
    return !stopped.has(key);
  };
  const outcome = await runtime.run(request, request.generator ? emit : undefined);
  stopped.delete(key);
  sendOutcome(request, outcome);
}

process.on('message', (message: ToWorker) => {
  if (message.kind === 'run') {
    // Sending fails only once the channel is closed, when this process is on its way out.
    run(message.request).catch(() => {});
  } else if (message.kind === 'abort') {
    runtime.abort(message.key, isWireError(message.reason) ? fromWire(message.reason) : undefined);
  } else stopped.add(message.key);
});
process.on('disconnect', () => process.exit(0));
