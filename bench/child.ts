import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RESULT_TAG, workerArgs } from './protocol.js';
import type { Outcome, RunResult } from './scenario.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** How much of a child's stderr to keep for the crash message. */
const STDERR_KEPT = 4096;

/** How one child ended: its result, or why there is none. */
export type ChildOutcome =
  | { readonly kind: 'ok'; readonly result: RunResult }
  | Exclude<Outcome, { kind: 'ok' }>;

/** One measurement to run in a fresh process. */
export interface ChildJob {
  readonly scenario: string;
  readonly variant: string;
  readonly size: number;
  /** The child is killed after this many seconds. */
  readonly capSeconds: number;
}

function parseResult(stdout: string): RunResult | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(RESULT_TAG));
  return line === undefined ? undefined : (JSON.parse(line.slice(RESULT_TAG.length)) as RunResult);
}

function crashMessage(code: number | null, signal: NodeJS.Signals | null, stderr: string): string {
  const lines = stderr
    .trim()
    .split('\n')
    .filter((line) => line.trim() !== '');
  const cause = lines.find((line) => /Error|FATAL/.test(line)) ?? lines.at(-1) ?? 'no output';
  const exit = signal === null ? `exit code ${code}` : `signal ${signal}`;
  return `${exit}: ${cause.trim()}`;
}

/** Runs one measurement in a fresh `node --expose-gc --import tsx bench/worker.ts` process. */
export function runChild(job: ChildJob): Promise<ChildOutcome> {
  const args = workerArgs(WORKER, job.scenario, job.variant, job.size);
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_KEPT);
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, job.capSeconds * 1000);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ kind: 'crashed', message: error.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ kind: 'timeout', seconds: job.capSeconds });
      const result = code === 0 ? parseResult(stdout) : undefined;
      if (result !== undefined) return resolve({ kind: 'ok', result });
      resolve({ kind: 'crashed', message: crashMessage(code, signal, stderr) });
    });
  });
}
