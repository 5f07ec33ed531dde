import assert from 'node:assert/strict';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { type Future, Queue, Scheduler, writeReport } from '../../src/index.js';
import { hasChromium, INSTALL_HINT, launchChromium } from './chromium.js';

/** Under CI the browser tests must run; on a developer machine without Chromium they skip. */
const skip = !hasChromium() && process.env.CI !== 'true' ? INSTALL_HINT : false;

interface PageReport {
  renderMs: number;
  sections: {
    lanes: { queue: string; spans: number; rows: number }[];
    drawnRects: number;
    finalResults: number;
  }[];
}

/** Opens a report; returns the page, what it drew, and every console error or page error. */
async function open(page: Page, file: string): Promise<{ report: PageReport; errors: string[] }> {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-rendered]', { timeout: 60_000 });
  const report = (await page.evaluate('window.smqReport')) as PageReport;
  return { report, errors };
}

/** A real run over three queues: dependencies, a generator, a retry and a failure. */
async function realRun(): Promise<Scheduler> {
  const sch = new Scheduler();
  const cpu = new Queue(sch, { concurrency: 2, name: 'cpu' });
  const io = new Queue(sch, { concurrency: 4, name: 'io' });
  const gpu = new Queue(sch, { concurrency: 1, name: 'gpu' });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  function* numbers(n: number): Generator<number> {
    for (let i = 0; i < n; i++) yield i;
  }
  const loads = Array.from({ length: 12 }, (_, i) =>
    io.options({ name: `load ${i}` }).submit(async () => {
      await sleep(2);
      return i;
    }),
  );
  const stream = cpu.options({ name: 'numbers' }).submit(numbers, 6);
  for (let i = 0; i < 12; i++) {
    const item = stream.at(i % 6);
    const load = loads[i] as Future<number>;
    cpu.options({ name: `fit ${i}` }).submit((x: number, y: number) => x + y, load, item);
  }
  let tries = 0;
  gpu.options({ name: 'flaky', retries: 1 }).submit(async () => {
    await sleep(1);
    if (tries++ === 0) throw new Error('first try fails');
  });
  gpu.options({ name: 'broken' }).submit(() => {
    throw new Error('always fails');
  });
  sch.start();
  await sch.wait().catch(() => undefined);
  return sch;
}

describe('the timeline report in headless Chromium', { skip }, () => {
  test('a real run: no console errors, a lane per queue, a span per attempt, hover works', async (t) => {
    assert.ok(hasChromium(), INSTALL_HINT);
    const dir = await mkdtemp(join(tmpdir(), 'smqsched-browser-'));
    const sch = await realRun();
    const timeline = sch.timeline();
    const file = join(dir, 'report.html');
    await writeReport(sch, file);
    const chromium = await launchChromium();
    try {
      const page = await chromium.context.newPage();
      const { report, errors } = await open(page, file);
      assert.deepEqual(errors, [], 'no console errors');
      const lanes = report.sections[0]?.lanes ?? [];
      assert.deepEqual(
        lanes.map((l) => l.queue),
        ['cpu', 'io', 'gpu'],
      );
      for (const queue of ['cpu', 'io', 'gpu']) {
        const lane = page.locator(`.lane[data-queue="${queue}"]`);
        assert.equal(await lane.count(), 1, `one lane for ${queue}`);
        const spans = Number(await lane.getAttribute('data-spans'));
        const expected = [...timeline.spans()].filter((s) => s.queue === queue).length;
        assert.equal(spans, expected, `spans of ${queue}`);
      }
      const total = lanes.reduce((sum, l) => sum + l.spans, 0);
      assert.equal(total, timeline.spanCount);
      assert.equal(total, timeline.taskCount + 1, 'every task ran once, flaky twice');
      assert.ok((report.sections[0]?.drawnRects ?? 0) > 0);
      assert.equal(report.sections[0]?.finalResults, 13, '12 fits and flaky');
      const tips: string[] = [];
      for (const canvas of await page.locator('.lane canvas').all()) {
        const box = await canvas.boundingBox();
        if (box === null) continue;
        await page.mouse.move(box.x + 1, box.y + 5);
        if (await page.locator('#tip').isVisible())
          tips.push((await page.locator('#tip').textContent()) ?? '');
      }
      assert.ok(
        tips.some((tip) => /#\d+\)\nqueue \w+ · \w+/.test(tip) && /depends on: /.test(tip)),
        `a hovered span shows its task: ${JSON.stringify(tips)}`,
      );
      const shot = join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok((await stat(shot)).size > 10_000);
      t.diagnostic(`screenshot: ${shot}`);
    } finally {
      await chromium.close();
    }
  });

  test('100,000 tasks stay fast to draw', async (t) => {
    assert.ok(hasChromium(), INSTALL_HINT);
    const dir = await mkdtemp(join(tmpdir(), 'smqsched-browser-'));
    const sch = new Scheduler();
    const Q = new Queue(sch, { concurrency: 4, name: 'many' });
    const leaf = (i: number): number => i;
    for (let i = 0; i < 100_000; i++) Q.submit(leaf, i);
    sch.start();
    await sch.wait();
    const file = join(dir, 'large.html');
    const began = performance.now();
    await writeReport(sch, file);
    const writeMs = performance.now() - began;
    const chromium = await launchChromium();
    try {
      const page = await chromium.context.newPage();
      const loadBegan = performance.now();
      const { report, errors } = await open(page, file);
      const loadMs = performance.now() - loadBegan;
      assert.deepEqual(errors, []);
      assert.equal(report.sections[0]?.lanes[0]?.spans, 100_000);
      const size = (await stat(file)).size;
      t.diagnostic(
        `100,000 tasks: written in ${writeMs.toFixed(0)} ms (${(size / 1e6).toFixed(1)} MB), opened and drawn in ${loadMs.toFixed(0)} ms (script ${report.renderMs.toFixed(0)} ms, ${report.sections[0]?.drawnRects} rectangles)`,
      );
      assert.ok(report.renderMs < 5000, `drawing took ${report.renderMs} ms`);
      const zoomBegan = performance.now();
      const box = await page.locator('.lane canvas').first().boundingBox();
      assert.ok(box);
      await page.mouse.move(box.x + box.width / 2, box.y + 5);
      for (let i = 0; i < 10; i++) await page.mouse.wheel(0, -400);
      await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => resolve()))');
      t.diagnostic(`ten zoom steps: ${(performance.now() - zoomBegan).toFixed(0)} ms`);
      assert.deepEqual(errors, [], 'no errors while zooming');
    } finally {
      await chromium.close();
    }
  });
});
