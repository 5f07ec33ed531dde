import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Queue, renderReport, Scheduler, writeReport } from '../../src/index.js';

/** The JSON the page draws from. */
function pageData(html: string): {
  statuses: { name: string; colour: string }[];
  sections: {
    title: string;
    queues: { name: string; concurrency: number }[];
    spanTask: number[];
    spanStatus: number[];
    finalTimes: number[];
    depIds: number[];
    summary: { name: string; tasks: number; done: number; failed: number; utilisation: number }[];
  }[];
} {
  const match = /<script type="application\/json" id="smq-data">(.*?)<\/script>/s.exec(html);
  assert.ok(match, 'the page embeds its data');
  return JSON.parse(match[1] as string);
}

async function smallRun(): Promise<Scheduler> {
  const sch = new Scheduler();
  const cpu = new Queue(sch, { concurrency: 2, name: 'cpu' });
  const io = new Queue(sch, { concurrency: 4, name: 'io' });
  const parts = [1, 2, 3].map((i) => io.submit(async (x: number) => x * 2, i));
  cpu.options({ name: 'sum' }).submit((xs: number[]) => xs.reduce((a, b) => a + b), parts);
  cpu.options({ name: 'bad' }).submit((): number => {
    throw new Error('boom');
  });
  sch.start();
  await sch.wait().catch(() => undefined);
  return sch;
}

describe('timeline report', () => {
  test('one self-contained page: a lane per queue, spans, final results and a summary', async () => {
    const sch = await smallRun();
    const html = renderReport(sch, { title: 'small run' });
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /<title>small run<\/title>/);
    assert.doesNotMatch(html, /<script[^>]+src=/, 'no external script');
    assert.doesNotMatch(html, /<link /, 'no external stylesheet');
    assert.doesNotMatch(html, /https?:\/\//, 'nothing from the network');
    const data = pageData(html);
    const [section] = data.sections;
    assert.ok(section);
    assert.deepEqual(
      section.queues.map((q) => [q.name, q.concurrency]),
      [
        ['cpu', 2],
        ['io', 4],
      ],
    );
    assert.equal(section.spanTask.length, 5, 'one span per task that ran');
    assert.equal(section.finalTimes.length, 1, 'sum is the one final result; bad failed');
    assert.deepEqual(
      section.summary.map((q) => [q.name, q.tasks, q.done, q.failed]),
      [
        ['cpu', 2, 1, 1],
        ['io', 3, 3, 0],
      ],
    );
    for (const q of section.summary) assert.ok(q.utilisation >= 0 && q.utilisation <= 1);
    const failed = data.statuses.findIndex((s) => s.name === 'failed');
    assert.equal(section.spanStatus.filter((s) => s === failed).length, 1);
  });

  test('task names cannot break out of the page', async () => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { name: '<b>q</b>' });
    Q.options({ name: '</script><img src=x onerror=alert(1)>' }).submit(() => 1);
    sch.start();
    await sch.wait();
    const html = renderReport([{ title: '<i>t</i>', timeline: sch.timeline() }]);
    assert.doesNotMatch(html, /<img/);
    assert.doesNotMatch(html, /<b>q<\/b>/);
    assert.doesNotMatch(html, /<i>t<\/i>/);
    assert.equal(pageData(html).sections[0]?.title, '<i>t</i>');
  });

  test('writeReport writes the page, making its folder', async () => {
    const sch = await smallRun();
    const dir = await mkdtemp(join(tmpdir(), 'smqsched-report-'));
    try {
      const file = join(dir, 'nested', 'report.html');
      await writeReport(sch, file);
      const html = await readFile(file, 'utf8');
      assert.equal(pageData(html).sections[0]?.spanTask.length, 5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('bad sources and files are refused at the call', async () => {
    const sch = new Scheduler({ record: false });
    assert.throws(() => renderReport(42 as unknown as Scheduler), TypeError);
    assert.throws(() => renderReport([{ title: 'x' }] as never), TypeError);
    assert.throws(() => renderReport(sch), /record: false/);
    await assert.rejects(writeReport(new Scheduler(), ''), TypeError);
  });

  test('100,000 tasks: the page is written quickly and stays small enough', async (t) => {
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 4, name: 'many' });
    const leaf = (i: number): number => i;
    for (let i = 0; i < 100_000; i++) Q.submit(leaf, i);
    sch.start();
    await sch.wait();
    const began = performance.now();
    const html = renderReport(sch);
    const ms = performance.now() - began;
    t.diagnostic(
      `100,000 tasks: rendered in ${ms.toFixed(0)} ms, ${(html.length / 1e6).toFixed(1)} MB`,
    );
    assert.equal(pageData(html).sections[0]?.spanTask.length, 100_000);
    assert.ok(html.length < 100 * 100_000, 'under 100 bytes per task');
    assert.ok(ms < 5000, `rendering took ${ms.toFixed(0)} ms`);
  });
});
