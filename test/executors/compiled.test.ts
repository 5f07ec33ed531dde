/**
 * The compiled package (dist/, built by `npm test` before the tests): worker entries and task
 * modules load as plain JavaScript, with no TypeScript loader in the workers, and a process
 * whose schedulers are closed exits by itself. Skipped when dist/ has not been built.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const built = existsSync(`${ROOT}dist/index.js`) && existsSync(`${ROOT}dist/examples/matrices.js`);
const skip = built ? false : 'dist/ is not built (npm run build)';
/** Plain node: the children get no --import tsx (execFile passes no execArgv). */
const options = { cwd: ROOT, timeout: 60_000 };

test('threads() and processes() of dist/ run plain modules; close() lets the process exit', {
  skip,
}, async () => {
  const { stdout } = await run(process.execPath, ['test/fixtures/compiled-smoke.mjs'], options);
  assert.deepEqual(
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
    [
      ['threads', 3, 'me', [0, 1, 2]],
      ['processes', 3, 'me', [0, 1, 2]],
    ],
  );
});

test('under tsx, TypeScript task modules may import the package by name', { skip }, async () => {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/package-smoke.ts'],
    options,
  );
  assert.deepEqual(
    stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
    [
      ['threads', 'me'],
      ['processes', 'me'],
    ],
  );
});

test('examples/matrices.js --threads runs from dist/ on worker threads', { skip }, async () => {
  const { stdout } = await run(
    process.execPath,
    ['dist/examples/matrices.js', '--threads', '6', '20'],
    options,
  );
  assert.match(
    stdout,
    /48 tasks; first result after [\d.]+ ms, all after \d+ ms; [\d.]+ cores busy/,
  );
});
