/**
 * The cluster executor lives behind its own entry, `smqsched/cluster`: importing the core
 * package must not load BullMQ or ioredis. Checked on the built package (its `exports`), in a
 * fresh process each, by the modules in Node's CommonJS cache (BullMQ and ioredis are
 * CommonJS, so loading them puts them there). Needs no Redis.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const PROBE = `
import { createRequire } from 'node:module';
const mod = await import(process.argv[1]);
const cache = Object.keys(createRequire(import.meta.url).cache);
const loaded = cache.filter((p) => /node_modules[\\\\/](bullmq|ioredis)[\\\\/]/.test(p));
console.log(JSON.stringify({ names: Object.keys(mod), loaded: loaded.length }));
`;

/** Imports `specifier` in a fresh process at the package root; what it exports and loads. */
async function probe(specifier: string): Promise<{ names: string[]; loaded: number }> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', PROBE, specifier],
    { cwd: ROOT },
  );
  return JSON.parse(stdout);
}

describe('the smqsched/cluster entry', () => {
  test('importing smqsched loads neither BullMQ nor ioredis', async () => {
    assert.ok(existsSync(`${ROOT}/dist/index.js`), 'dist is missing: run `npm run build` first');
    const core = await probe('smqsched');
    assert.ok(core.names.includes('Scheduler'));
    assert.ok(!core.names.includes('cluster'), 'cluster is not a core export');
    assert.equal(core.loaded, 0);
  });

  test('importing smqsched/cluster loads BullMQ and exports cluster', async () => {
    const entry = await probe('smqsched/cluster');
    assert.deepEqual(entry.names.sort(), ['ClusterWorker', 'cluster']);
    assert.ok(entry.loaded > 0, 'the probe sees BullMQ when it is loaded');
  });
});
