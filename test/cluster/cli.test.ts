/** `smqsched --help` lists the worker command; bad worker flags exit with 2 and say why. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

async function smqsched(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [
      ...['--import', 'tsx', MAIN],
      ...args,
    ]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('smqsched worker on the command line', () => {
  test('--help lists the worker command and its flags', async () => {
    const { code, stdout } = await smqsched(['--help']);
    assert.equal(code, 0);
    assert.match(stdout, /smqsched worker --connection URL --queue NAME --tasks MODULE/);
    assert.match(stdout, /SMQSCHED_CONNECTION/);
  });

  test('missing flags: exit code 2 and what is missing', async () => {
    const { code, stderr } = await smqsched(['worker', '--connection', 'redis://127.0.0.1:1']);
    assert.equal(code, 2);
    assert.match(stderr, /at least one --tasks MODULE/);
  });

  test('a task module that cannot be loaded: exit code 1, before connecting', async () => {
    const { code, stderr } = await smqsched([
      ...['worker', '--connection', 'redis://127.0.0.1:1', '--tasks', 'no/such/module.js'],
    ]);
    assert.equal(code, 1);
    assert.match(stderr, /could not start: .*no\/such\/module\.js/);
  });
});
