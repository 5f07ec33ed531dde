/**
 * The entry of a `processes()` worker (a child process started by the pool): runs the tasks the
 * scheduler sends over the IPC channel, one at a time, and exits when the channel closes.
 *
 * @module
 */
import type { FromWorker, ToWorker } from '../process-pool.js';
import { fromWire, type TaskOutcome, type TaskRequest, toWire } from '../wire.js';
import { WorkerRuntime } from '../worker-runtime.js';

const runtime = new WorkerRuntime();
/** Generator tasks told to stop yielding (a surplus item). */
const stopped = new Set<number>();

function send(message: FromWorker): void {
  process.send?.(message);
}

/** Sends the outcome; one whose value cannot be cloned becomes the task's error. */
function sendOutcome(key: number, outcome: TaskOutcome): void {
  try {
    send({ kind: 'end', key, outcome });
  } catch (error) {
    const failure = new TypeError(
      `The result of task ${key} could not be copied back from its worker process (${(error as Error).message}). Return only data that structured cloning copies: no functions, no objects that need their class.`,
    );
    send({ kind: 'end', key, outcome: { ok: false, error: toWire(failure) } });
  }
}

async function run(request: TaskRequest): Promise<void> {
  const key = request.key;
  const emit = (value: unknown): boolean => {
    send({ kind: 'item', key, value });
    return !stopped.has(key);
  };
  const outcome = await runtime.run(request, request.generator ? emit : undefined);
  stopped.delete(key);
  sendOutcome(key, outcome);
}

process.on('message', (message: ToWorker) => {
  if (message.kind === 'run') void run(message.request);
  else if (message.kind === 'abort') runtime.abort(message.key, fromWire(message.reason));
  else stopped.add(message.key);
});
process.on('disconnect', () => process.exit(0));
