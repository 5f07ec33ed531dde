/**
 * A private redis-server for one test file: on a free loopback port, without persistence,
 * stopped by the file's `after`. When redis-server is missing the cluster tests skip with a
 * message saying how to install it, except in CI (the CI variable is set), where they fail.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** Why the cluster tests skip here, or false if they run. */
export function skipReason(): string | false {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  if (found) return false;
  if (process.env.CI) return false; // in CI the tests run and fail: startRedis says why
  return 'redis-server is not installed: apt-get install redis-server (or brew install redis) to run the cluster tests';
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A running redis-server of a test. */
export interface TestRedis {
  readonly port: number;
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  /** The server's process id, while it runs. */
  readonly pid: number | undefined;
  /** Stops the server (SIGTERM; nothing is saved, so its data is gone). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

async function launch(port: number, extra: readonly string[]): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  let child: ChildProcess;
  try {
    child = spawn('redis-server', [...args, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (error) {
    throw new Error('Could not start redis-server: apt-get install redis-server.', {
      cause: error,
    });
  }
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.once('error', (error) =>
      reject(
        new Error('Could not start redis-server: apt-get install redis-server.', { cause: error }),
      ),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  child.removeAllListeners('exit');
  child.stdout?.resume();
  return child;
}

/**
 * Starts a redis-server on a free loopback port, with more options if given (a function of the
 * port, e.g. to serve TLS on it instead).
 */
export async function startRedis(
  options: readonly string[] | ((port: number) => readonly string[]) = [],
): Promise<TestRedis> {
  const port = await freePort();
  const extra = typeof options === 'function' ? options(port) : options;
  let child: ChildProcess | undefined = await launch(port, extra);
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child?.pid;
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
      const exited = once(running, 'exit');
      running.kill('SIGTERM');
      await exited;
    },
    async start() {
      if (child === undefined) child = await launch(port, extra);
    },
  };
}
