/**
 * Makes docs/report.png, the README's picture of the timeline report: runs the demo (the
 * built command, so `npm run build` first; `npm run screenshot` does both), opens the report
 * it wrote in headless Chromium, hovers a span so the picture shows a tooltip, and takes a
 * screenshot of the whole page.
 *
 * Run: `npm run screenshot` (needs /usr/bin/chromium: `apt-get install -y chromium`).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { hasChromium, INSTALL_HINT, launchChromium } from './chromium.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const OUT = fileURLToPath(new URL('../../docs/report.png', import.meta.url));

if (!hasChromium()) {
  console.error(INSTALL_HINT);
  process.exit(1);
}
const dir = await mkdtemp(join(tmpdir(), 'smqsched-screenshot-'));
const report = join(dir, 'report.html');
const demo = await promisify(execFile)(process.execPath, [MAIN, 'demo', '--report', report]);
console.log(
  demo.stdout
    .split('\n')
    .filter((line) => / tasks +first final/.test(line))
    .join('\n'),
);
const chromium = await launchChromium();
try {
  const page = await chromium.context.newPage();
  await page.goto(pathToFileURL(report).href);
  await page.waitForSelector('body[data-rendered]');
  const lane = await page.locator('.lane canvas').nth(1).boundingBox();
  if (lane !== null) await page.mouse.move(lane.x + lane.width * 0.3, lane.y + 8);
  await page.screenshot({ path: OUT, fullPage: true });
  console.log(`wrote ${OUT}`);
} finally {
  await chromium.close();
  await rm(dir, { recursive: true, force: true });
}
