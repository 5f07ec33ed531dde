/**
 * Real `smqsched worker` processes for the cluster tests, run from the sources under tsx (so
 * that a task module importing src/index.ts shares `currentTask()` with the worker).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A running worker process. */
export interface TestWorker {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with its exit code and signal once it exits. */
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** Starts `smqsched worker ARGS` (with more environment variables if given). */
export function spawnWorker(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN, 'worker', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
}

/** Starts `smqsched worker ARGS` and waits for its start-up line. */
export async function startWorker(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<TestWorker> {
  const child = spawnWorker(args, env);
  let output = '';
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('serving queue')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    exited.then(([code]) =>
      reject(new Error(`the worker exited (${code}) before serving: ${output}`)),
    );
  });
  return { child, pid: child.pid as number, output: () => output, exited };
}

/** Starts `n` workers of one queue. */
export function startWorkers(n: number, args: readonly string[]): Promise<TestWorker[]> {
  return Promise.all(Array.from({ length: n }, () => startWorker(args)));
}

/** Stops workers with SIGTERM (or kills them if they are stuck) and waits for their exit. */
export async function stopWorkers(workers: readonly TestWorker[]): Promise<void> {
  await Promise.all(
    workers.map(async (worker) => {
      if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
      worker.child.kill('SIGTERM');
      const timer = setTimeout(() => worker.child.kill('SIGKILL'), 10_000);
      await worker.exited;
      clearTimeout(timer);
    }),
  );
}
