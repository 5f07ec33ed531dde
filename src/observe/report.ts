import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describeValue } from '../errors.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { encodeSection } from './report-data.js';
import { renderPage } from './report-page.js';
import { Timeline } from './timeline.js';

/** One part of a report: a titled timeline (the demo writes one per example). */
export interface ReportSection {
  /** Shown as the section's heading. */
  readonly title: string;
  /** What to draw: `sch.timeline()`. */
  readonly timeline: Timeline;
}

/** Options of `writeReport` and `renderReport`. */
export interface ReportOptions {
  /**
   * The page's title.
   * @default 'smqsched timeline'
   */
  readonly title?: string;
}

/** What a report is made from: a scheduler (its timeline now), a timeline, or sections. */
export type ReportSource = Scheduler | Timeline | readonly ReportSection[];

function sectionsOf(source: ReportSource): readonly ReportSection[] {
  if (source instanceof Scheduler) return [{ title: 'Timeline', timeline: source.timeline() }];
  if (source instanceof Timeline) return [{ title: 'Timeline', timeline: source }];
  if (Array.isArray(source)) {
    for (const section of source as readonly unknown[]) {
      const s = section as Partial<ReportSection> | null;
      if (s === null || typeof s !== 'object' || !(s.timeline instanceof Timeline)) {
        throw new TypeError(
          `Expected each report section to be { title, timeline: sch.timeline() }, got ${describeValue(section)}.`,
        );
      }
    }
    return source as readonly ReportSection[];
  }
  throw new TypeError(
    `Expected a Scheduler, a Timeline or an array of { title, timeline } sections, got ${describeValue(source)}.`,
  );
}

/**
 * The timeline report as one self-contained HTML page (no network, no external scripts):
 * per section, a Gantt chart with one lane per queue and one bar per attempt coloured by how
 * it ended (hover for the task's name, id, queue, duration and dependencies), the curve of
 * final results delivered over time, and a summary table per queue (tasks, busy time,
 * utilisation). Drawn on canvases: stays fast with 100,000 tasks.
 *
 * A final result is a task that finished done and that no task depends on (see `Timeline`).
 *
 * @throws TypeError for a source of another kind; Error for a scheduler with `record: false`.
 */
export function renderReport(source: ReportSource, options: ReportOptions = {}): string {
  const sections = sectionsOf(source).map((s) => encodeSection(String(s.title), s.timeline));
  return renderPage(options.title ?? 'smqsched timeline', sections);
}

/**
 * Writes the timeline report (see `renderReport`) to `file`, making its folder if needed.
 *
 * @example
 * ```ts
 * sch.start();
 * await sch.wait();
 * await writeReport(sch, 'report.html'); // open it in a browser
 * ```
 */
export async function writeReport(
  source: ReportSource,
  file: string,
  options: ReportOptions = {},
): Promise<void> {
  if (typeof file !== 'string' || file === '') {
    throw new TypeError(`Expected \`file\` to be a path, got ${describeValue(file)}.`);
  }
  const html = renderReport(source, options);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, html);
}
