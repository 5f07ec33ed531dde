/**
 * Redis URLs with a password, and rediss:// (TLS) with a private CA given to Node by
 * NODE_EXTRA_CA_CERTS: a worker and a scheduler reach Redis through each, and a wrong
 * password is a clear, final error on both sides instead of a hang.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { cluster } from '../../src/cluster/index.js';
import { Queue, Scheduler } from '../../src/index.js';
import * as R from './cluster-refs.js';
import { skipReason, startRedis, type TestRedis } from './redis-server.js';
import { spawnWorker, startWorker, stopWorkers, type TestWorker } from './workers.js';

const skip = skipReason();
const run = promisify(execFile);
const EXIT_SCRIPT = fileURLToPath(new URL('./exit-script.ts', import.meta.url));
const PASSWORD = 's3cret-pw';

/** A CA and a server certificate for 127.0.0.1 signed by it, made with openssl in `dir`. */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const files = {
    ca: join(dir, 'ca.pem'),
    cert: join(dir, 'server.pem'),
    key: join(dir, 'server.key'),
  };
  const openssl = (...args: string[]): void => {
    const result = spawnSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr}`);
  };
  const subject = (cn: string): string[] => ['-subj', `/CN=${cn}`];
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    files.ca,
    '-days',
    '2',
    ...subject('smqsched test CA'),
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    files.key,
    '-out',
    'server.csr',
    ...subject('127.0.0.1'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    files.ca,
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    files.cert,
    '-days',
    '2',
    '-extfile',
    'san.cnf',
  );
  return files;
}

describe('Redis with a password', { skip }, () => {
  let redis: TestRedis;
  let workers: TestWorker[] = [];
  before(async () => {
    redis = await startRedis(['--requirepass', PASSWORD]);
  });
  after(async () => {
    await stopWorkers(workers);
    await redis?.stop();
  });
  const url = (password: string): string => `redis://:${password}@127.0.0.1:${redis.port}`;

  test('redis://:PASSWORD@host:port works for the worker and the scheduler', async () => {
    // The worker takes the URL from the environment: a password stays out of `ps`.
    workers = [
      await startWorker(['--queue', 'auth', '--tasks', R.LINALG_PATH], {
        SMQSCHED_CONNECTION: url(PASSWORD),
      }),
    ];
    assert.ok(!workers[0]?.output().includes(PASSWORD), 'the password is not printed');
    const { stdout } = await run(process.execPath, [
      '--import',
      'tsx',
      EXIT_SCRIPT,
      url(PASSWORD),
      'auth',
    ]);
    assert.equal(stdout.trim(), 'result 4; closed');
  });

  test('a wrong password: the worker exits saying so; the task fails saying so', async () => {
    const child = spawnWorker([
      '--connection',
      url('wrong'),
      '--queue',
      'auth',
      '--tasks',
      R.LINALG_PATH,
    ]);
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 1);
    assert.match(output, /refused the connection: WRONGPASS/);
    assert.match(output, /Check the password/);
    assert.ok(!output.includes('wrong@'), 'the password is hidden');

    const sch = new Scheduler();
    const Q = new Queue(sch, {
      executor: cluster({ connection: url('wrong'), queueName: 'auth' }),
    });
    const f = Q.submit(R.invert, { n: 1, data: new Float64Array([2]) });
    sch.start();
    await assert.rejects(async () => f, /Task \d+ \(invert\) cannot run: Redis at .* refused/);
    await assert.rejects(sch.wait());
    await sch.close();
  });
});

describe('Redis over TLS (rediss://)', {
  skip:
    skip ||
    (spawnSync('openssl', ['version']).status !== 0 &&
      'openssl is missing: apt-get install openssl'),
}, () => {
  let redis: TestRedis;
  let workers: TestWorker[] = [];
  let dir = '';
  let ca = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smqsched-tls-'));
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    const files = makeCertificates(dir);
    ca = files.ca;
    redis = await startRedis((port) => [
      ...['--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no'],
      ...[
        '--tls-cert-file',
        files.cert,
        '--tls-key-file',
        files.key,
        '--tls-ca-cert-file',
        files.ca,
      ],
    ]);
  });
  after(async () => {
    await stopWorkers(workers);
    await redis?.stop();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  test('rediss://host:port works with the CA in NODE_EXTRA_CA_CERTS', async () => {
    const url = `rediss://127.0.0.1:${redis.port}`;
    const env = { NODE_EXTRA_CA_CERTS: ca };
    workers = [
      await startWorker(['--connection', url, '--queue', 'tls', '--tasks', R.LINALG_PATH], env),
    ];
    const { stdout } = await run(process.execPath, ['--import', 'tsx', EXIT_SCRIPT, url, 'tls'], {
      env: { ...process.env, ...env },
      timeout: 15_000,
    });
    assert.equal(stdout.trim(), 'result 4; closed');
  });
});
