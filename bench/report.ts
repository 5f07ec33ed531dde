import { type GroupResult, type Scenario, SUBJECT } from './scenario.js';
import { findGroup, formatNumber, formatRatio, median, medianMs } from './stats.js';

const HEADER = [
  'variant',
  'size',
  'tasks',
  'median ms',
  'min ms',
  'max ms',
  'tasks/s',
  'peak RSS Δ MiB',
  'smqsched/peer',
] as const;
/** Columns aligned left; the others are numbers, aligned right. */
const TEXT_COLUMNS = 2;

/**
 * A table row: all the cells, or (for a run that did not finish) the variant and size, a
 * message spanning the figure columns, and the ratio.
 */
type Row =
  | { readonly cells: readonly string[] }
  | { readonly head: readonly string[]; readonly message: string; readonly ratio: string };

function sizeLabel(scenario: Scenario, size: number): string {
  return scenario.sizeLabel?.(size) ?? formatNumber(size);
}

/** smqsched's median over this group's median; below 1 means smqsched is faster. */
function ratioCell(group: GroupResult, subjectMs: number | undefined): string {
  if (group.variant === SUBJECT) return '1.00';
  if (subjectMs === undefined) return '';
  if (group.outcome.kind === 'timeout') {
    return `< ${formatRatio(subjectMs / (group.outcome.seconds * 1000))}`;
  }
  const peerMs = medianMs(group);
  return peerMs === undefined ? '' : formatRatio(subjectMs / peerMs);
}

function groupRow(scenario: Scenario, group: GroupResult, subjectMs: number | undefined): Row {
  const head = [group.variant, sizeLabel(scenario, group.size)];
  const ratio = ratioCell(group, subjectMs);
  if (group.outcome.kind === 'timeout') {
    return { head, message: `did not finish in ${group.outcome.seconds} s`, ratio };
  }
  if (group.outcome.kind === 'crashed' || group.runs.length === 0) {
    const why = group.outcome.kind === 'crashed' ? group.outcome.message : 'no runs';
    return { head, message: `crashed: ${why}`, ratio: '' };
  }
  const times = group.runs.map((run) => run.ms);
  const ms = median(times);
  const tasks = group.runs[0]?.tasks ?? 0;
  const cells = [
    ...head,
    formatNumber(tasks),
    formatNumber(ms, 1),
    formatNumber(Math.min(...times), 1),
    formatNumber(Math.max(...times), 1),
    formatNumber((tasks / ms) * 1000),
    formatNumber(median(group.runs.map((run) => run.peakRssDeltaMb)), 1),
    ratio,
  ];
  return { cells };
}

function renderRows(rows: readonly Row[]): string {
  const full = rows.flatMap((row) => ('cells' in row ? [row.cells] : []));
  const widths = HEADER.map((_, column) => Math.max(...full.map((c) => (c[column] ?? '').length)));
  const pad = (cell: string, column: number) => {
    const width = widths[column] ?? 0;
    return column < TEXT_COLUMNS ? cell.padEnd(width) : cell.padStart(width);
  };
  const spanWidth = widths
    .slice(TEXT_COLUMNS, -1)
    .reduce((sum, width, i) => sum + width + (i === 0 ? 0 : 2), 0);
  const line = (row: Row) => {
    if ('cells' in row) return row.cells.map(pad).join('  ');
    const head = row.head.map(pad).join('  ');
    return `${head}  ${row.message.padEnd(spanWidth)}  ${pad(row.ratio, HEADER.length - 1)}`;
  };
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const [header, ...body] = rows.map((row) => line(row).trimEnd());
  return [header, rule, ...body].join('\n');
}

/** Extra figures of scenarios without their own summary: the median of each, per group. */
function extraLines(scenario: Scenario, groups: readonly GroupResult[]): string[] {
  return groups.flatMap((group) => {
    const keys = [...new Set(group.runs.flatMap((run) => Object.keys(run.extra ?? {})))];
    return keys.map((key) => {
      const values = group.runs.map((run) => run.extra?.[key] ?? Number.NaN);
      const where = `${group.variant} ${sizeLabel(scenario, group.size)}`;
      return `${where}: ${key} = ${formatNumber(median(values), 1)} (median)`;
    });
  });
}

/** The table of one scenario, with its summary lines. */
export function formatScenario(scenario: Scenario, groups: readonly GroupResult[]): string {
  const rows: Row[] = [{ cells: HEADER }];
  for (const size of scenario.sizes) {
    const subjectMs = medianMs(findGroup(groups, SUBJECT, size));
    for (const group of groups) {
      if (group.size === size) rows.push(groupRow(scenario, group, subjectMs));
    }
  }
  const notes = scenario.summarize?.(groups) ?? extraLines(scenario, groups);
  return [
    `== ${scenario.name}: ${scenario.description}`,
    renderRows(rows),
    ...notes.map((note) => `  ${note}`),
  ].join('\n');
}

/** The legend printed once under the tables. */
export const LEGEND = [
  'median/min/max ms: from the first submission to the end of the run (wait() for smqsched),',
  '  each run in a fresh child process; tasks/s from the median.',
  "peak RSS Δ MiB: the child's max RSS at the end of the run minus its RSS just before the",
  '  first submission (median over runs); it includes garbage not yet collected.',
  "smqsched/peer: smqsched's median / this variant's median at the same size (below 1:",
  '  smqsched is faster); "< x" for a peer stopped at its time cap.',
].join('\n');
