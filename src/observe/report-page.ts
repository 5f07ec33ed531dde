import type { QueueSummary, SectionData } from './report-data.js';
import { REPORT_SCRIPT } from './report-script.js';
import { STATUS_COLOURS } from './status-colours.js';
import { SPAN_STATUSES } from './timeline.js';

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A duration in microseconds, as people read it. */
export function formatMicros(us: number): string {
  if (us < 1000) return `${us} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

const CSS = `
:root { font: 14px/1.4 system-ui, -apple-system, 'Segoe UI', sans-serif; color: #263238; }
body { margin: 0; padding: 16px 24px 48px; background: #fafafa; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 4px; }
p.meta, p.hint { color: #607d8b; margin: 2px 0 8px; }
.legend span { display: inline-block; margin-right: 14px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; border-radius: 2px; }
table { border-collapse: collapse; margin: 8px 0 12px; background: #fff; }
th, td { padding: 3px 10px; border-bottom: 1px solid #eceff1; text-align: right; }
th:first-child, td:first-child { text-align: left; }
th { font-weight: 600; color: #455a64; }
.chart { background: #fff; border: 1px solid #e0e0e0; border-radius: 4px; padding: 6px 8px; }
.row { display: flex; align-items: stretch; }
.label { width: 170px; flex: none; padding-right: 8px; font-size: 12px; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; display: flex; flex-direction: column; justify-content: center; }
.label small { color: #78909c; }
.plot { flex: 1; min-width: 0; }
.plot canvas { display: block; width: 100%; }
.lane { border-top: 1px solid #eceff1; }
.lane canvas { cursor: crosshair; }
.curve { border-top: 1px solid #cfd8dc; margin-top: 4px; padding-top: 4px; }
#tip { position: fixed; pointer-events: none; background: #263238; color: #fff; font-size: 12px;
  padding: 6px 8px; border-radius: 4px; max-width: 420px; display: none; z-index: 10; white-space: pre-line; }
`;

function summaryTable(rows: readonly QueueSummary[]): string {
  const head =
    '<tr><th>queue</th><th>concurrency</th><th>tasks</th><th>done</th><th>failed</th><th>cancelled</th><th>attempts</th><th>items yielded</th><th>busy time</th><th>utilisation</th></tr>';
  const body = rows.map(
    (r) =>
      `<tr><td>${escapeHtml(r.name)}</td><td>${r.concurrency}</td><td>${r.tasks}</td><td>${r.done}</td><td>${r.failed}</td><td>${r.cancelled}</td><td>${r.attempts}</td><td>${r.items}</td><td>${formatMicros(Math.round(r.busyMs * 1000))}</td><td>${(r.utilisation * 100).toFixed(1)} %</td></tr>`,
  );
  return `<table class="summary">${head}${body.join('')}</table>`;
}

function sectionHtml(section: SectionData, index: number): string {
  const tasks = section.taskName.length;
  const first =
    section.firstFinalUs >= 0
      ? `first final result after ${formatMicros(section.firstFinalUs)}`
      : 'no final result';
  return `<section id="section-${index}" class="section">
<h2>${escapeHtml(section.title)}</h2>
<p class="meta">${tasks} tasks · ${section.spanStart.length} spans · ${section.items} generator items · ${section.finalTimes.length} final results · ${first} · all done after ${formatMicros(section.durationUs)} (from the first task's start)</p>
${summaryTable(section.summary)}
<div class="chart">
<div class="row"><div class="label"></div><div class="plot"><canvas class="axis" height="22"></canvas></div></div>
<div class="lanes"></div>
<div class="row curve"><div class="label">final results<small>delivered over time</small></div><div class="plot"><canvas class="results" height="120"></canvas></div></div>
</div>
</section>`;
}

/** Makes JSON safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

/** The whole report page: one self-contained HTML document (no network, no external files). */
export function renderPage(title: string, sections: readonly SectionData[]): string {
  const statuses = SPAN_STATUSES.map((name) => ({ name, colour: STATUS_COLOURS[name] }));
  const legend = statuses
    .map((s) => `<span><i style="background:${s.colour}"></i>${s.name}</span>`)
    .join('');
  const data = { statuses, sections };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Made by smqsched on ${escapeHtml(new Date().toISOString())}. One lane per queue, one bar per attempt (a task's span from start to end), coloured by how it ended:</p>
<p class="legend">${legend}</p>
<p class="hint">A <b>final result</b> is a task that finished done and that no other task depends on (by an argument, an item future, <code>release</code> or <code>after</code>): the results the graph is built for. Hover a bar for its task; wheel to zoom, drag to pan, double-click to see all.</p>
${sections.map(sectionHtml).join('\n')}
<div id="tip"></div>
<script type="application/json" id="smq-data">${scriptJson(data)}</script>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}
