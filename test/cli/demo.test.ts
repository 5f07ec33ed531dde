import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** Runs the built command (the demo loads the built examples); never throws. */
async function smqsched(
  args: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { cwd });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('smqsched demo', () => {
  let dir = '';
  before(async () => {
    assert.ok(existsSync(MAIN), 'dist/cli/main.js is missing: run `npm run build` first');
    dir = await mkdtemp(join(tmpdir(), 'smqsched-demo-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('runs the three examples, prints progress and times, and writes the report', async () => {
    const file = join(dir, 'out', 'report.html');
    const { code, stdout, stderr } = await smqsched(['demo', '--quick', '--report', file], dir);
    assert.equal(code, 0, stderr);
    for (const name of ['matrices', 'instrument', 'minima']) {
      assert.match(stdout, new RegExp(`== ${name}: `));
      assert.match(stdout, new RegExp(`\\[${name} \\d+\\.\\d s\\] .*done \\| final results: \\d+`));
      assert.match(
        stdout,
        new RegExp(`${name} +\\d+ tasks +first final result after +[\\d.]+ ms +all done after`),
      );
    }
    assert.match(stdout, /Timeline report: .*report\.html/);
    const html = await readFile(file, 'utf8');
    for (const name of ['matrices', 'instrument', 'minima'])
      assert.ok(html.includes(`<h2>${name}: `));
    assert.match(html, /"name":"instrument","concurrency":1/);
  });

  test('writes ./smqsched-report.html by default, and nothing with --no-report', async () => {
    const here = await mkdtemp(join(dir, 'cwd-'));
    const quiet = await smqsched(['demo', 'minima', '--quick', '--no-report'], here);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stdout, /== matrices/, 'only the example asked for');
    assert.equal(existsSync(join(here, 'smqsched-report.html')), false);
    const loud = await smqsched(['demo', 'minima', '--quick'], here);
    assert.equal(loud.code, 0, loud.stderr);
    assert.equal(existsSync(join(here, 'smqsched-report.html')), true);
  });

  test('bad arguments exit with 2 and say what is wrong', async () => {
    const noFile = await smqsched(['demo', '--report'], dir);
    assert.equal(noFile.code, 2);
    assert.match(noFile.stderr, /--report needs a file name/);
    const unknown = await smqsched(['demo', 'nope'], dir);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown example nope; choose from matrices, instrument, minima/);
    const help = await smqsched(['--help'], dir);
    assert.match(help.stdout, /--report FILE/);
  });
});
