import { describeValue } from '../errors.js';
import type { TaskNode } from '../graph/task-node.js';
import { engineOf, type Scheduler } from '../scheduler/scheduler.js';
import { type ColouredStatus, STATUS_COLOURS } from './status-colours.js';
import { TASK_STATUSES } from './timeline.js';
import { TimelineRecorder } from './timeline-recorder.js';

/** Options of `toDot` and `toMermaid`. */
export interface GraphExportOptions {
  /**
   * Export at most this many tasks: the unfinished ones first, then the newest finished. A
   * comment says how many were left out.
   * @default Infinity
   */
  readonly maxTasks?: number;
}

interface GraphTask {
  readonly id: number;
  name: string;
  queue: number;
  status: ColouredStatus;
  deps: number[];
  /** Known only as a dependency of an exported task (finished, not recorded). */
  stub: boolean;
}

interface Graph {
  readonly queues: readonly string[];
  readonly tasks: readonly GraphTask[];
  readonly omitted: number;
}

const DARK: ReadonlySet<ColouredStatus> = new Set(['running', 'done', 'failed', 'retried']);

function distinctIds(deps: readonly TaskNode[] | undefined): number[] {
  return deps === undefined ? [] : [...new Set(deps.map((d) => d.id))];
}

/**
 * The graph as far as it is known: every recorded task (all of them, unless the scheduler was
 * made with `record: false`) and every unfinished task, which the scheduler still holds.
 */
function collect(sch: Scheduler, maxTasks: number): Graph {
  const engine = engineOf(sch);
  if (engine === undefined) {
    throw new TypeError(`Expected a Scheduler, got ${describeValue(sch)}.`);
  }
  const queues = engine.queues;
  const byId = new Map<number, GraphTask>();
  if (engine.recorder instanceof TimelineRecorder) {
    const c = engine.recorder.snapshot().columns;
    for (let row = 0; row < c.taskQueue.length; row++) {
      const recorded = TASK_STATUSES[c.taskStatus[row] as number] ?? 'pending';
      const from = row === 0 ? 0 : (c.depEnd[row - 1] as number);
      byId.set(row + 1, {
        id: row + 1,
        name: c.taskName[row] as string,
        queue: c.taskQueue[row] as number,
        status: recorded === 'pending' ? 'waiting' : recorded,
        deps: [...new Set(c.depIds.subarray(from, c.depEnd[row]))],
        stub: false,
      });
    }
  }
  const live = (node: TaskNode): void => {
    const known = byId.get(node.id);
    const status: ColouredStatus = node.status;
    if (known !== undefined) known.status = status;
    else {
      const queue = queues.indexOf(node.queue);
      const deps = distinctIds(node.deps);
      byId.set(node.id, { id: node.id, name: node.name, queue, status, deps, stub: false });
    }
  };
  for (const node of engine.unstarted) live(node);
  for (const queue of queues) for (const node of queue.occupants) live(node);
  let tasks = [...byId.values()].sort((a, b) => a.id - b.id);
  let omitted = 0;
  if (tasks.length > maxTasks) {
    const open = (t: GraphTask) =>
      t.status === 'waiting' || t.status === 'ready' || t.status === 'running';
    const kept = new Set(tasks.filter(open).slice(-maxTasks));
    for (let i = tasks.length - 1; i >= 0 && kept.size < maxTasks; i--)
      kept.add(tasks[i] as GraphTask);
    omitted = tasks.length - kept.size;
    tasks = tasks.filter((t) => kept.has(t));
  }
  const present = new Set(tasks.map((t) => t.id));
  const stubs: GraphTask[] = [];
  if (omitted === 0) {
    for (const task of tasks) {
      for (const dep of task.deps) {
        if (present.has(dep)) continue;
        present.add(dep);
        stubs.push({ id: dep, name: `#${dep}`, queue: -1, status: 'done', deps: [], stub: true });
      }
    }
  }
  return { queues: queues.map((q) => q.name), tasks: [...stubs, ...tasks], omitted };
}

function checkOptions(options: GraphExportOptions): number {
  const max = options.maxTasks ?? Number.POSITIVE_INFINITY;
  if (typeof max !== 'number' || Number.isNaN(max) || max < 1) {
    throw new RangeError(
      `Expected \`maxTasks\` to be a number from 1 up, got ${describeValue(max)}.`,
    );
  }
  return max;
}

function label(task: GraphTask): string {
  return task.stub ? `#${task.id} (finished)` : `${task.name} #${task.id}`;
}

function dotString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;
}

/**
 * The scheduler's task graph in Graphviz DOT (`dot -Tsvg graph.dot > graph.svg`): one cluster
 * per queue, tasks coloured by state (green done, red failed, grey cancelled, blue running,
 * pale blue ready, pale grey waiting), an edge from each dependency to its dependent.
 *
 * The scheduler keeps no finished task alive, so this exports what is recorded (every task,
 * with the default `record: true`) plus what is unfinished. With `record: false`, finished
 * tasks appear only as `#id (finished)` where an unfinished task still depends on them.
 */
export function toDot(sch: Scheduler, options: GraphExportOptions = {}): string {
  const graph = collect(sch, checkOptions(options));
  const lines = [
    'digraph smqsched {',
    '  rankdir=LR;',
    '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
  ];
  if (graph.omitted > 0)
    lines.push(`  // ${graph.omitted} older finished tasks left out (maxTasks)`);
  const node = (t: GraphTask): string =>
    `t${t.id} [label=${dotString(label(t))}, fillcolor="${STATUS_COLOURS[t.status]}"${DARK.has(t.status) ? ', fontcolor="white"' : ''}${t.stub ? ', style="rounded,filled,dashed"' : ''}];`;
  for (const t of graph.tasks) if (t.queue < 0) lines.push(`  ${node(t)}`);
  graph.queues.forEach((name, q) => {
    const members = graph.tasks.filter((t) => t.queue === q);
    if (members.length === 0) return;
    lines.push(
      `  subgraph cluster_${q} {`,
      `    label=${dotString(name)};`,
      '    color="#b0bec5";',
    );
    for (const t of members) lines.push(`    ${node(t)}`);
    lines.push('  }');
  });
  const present = new Set(graph.tasks.map((t) => t.id));
  for (const t of graph.tasks) {
    for (const dep of t.deps) if (present.has(dep)) lines.push(`  t${dep} -> t${t.id};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function mermaidString(text: string): string {
  const escaped = text
    .replaceAll('"', '#quot;')
    .replaceAll('<', '#lt;')
    .replaceAll('>', '#gt;')
    .replaceAll('\n', ' ');
  return `"${escaped}"`;
}

/**
 * The scheduler's task graph as a Mermaid flowchart (paste it into a Markdown ```mermaid
 * block): one subgraph per queue, tasks coloured by state as in `toDot`, an edge from each
 * dependency to its dependent. Like `toDot`, it shows what is recorded plus what is
 * unfinished, since the scheduler keeps no finished task alive.
 */
export function toMermaid(sch: Scheduler, options: GraphExportOptions = {}): string {
  const graph = collect(sch, checkOptions(options));
  const lines = ['flowchart LR'];
  if (graph.omitted > 0)
    lines.push(`  %% ${graph.omitted} older finished tasks left out (maxTasks)`);
  const node = (t: GraphTask): string => `t${t.id}[${mermaidString(label(t))}]:::${t.status}`;
  for (const t of graph.tasks) if (t.queue < 0) lines.push(`  ${node(t)}`);
  graph.queues.forEach((name, q) => {
    const members = graph.tasks.filter((t) => t.queue === q);
    if (members.length === 0) return;
    lines.push(`  subgraph q${q}[${mermaidString(name)}]`);
    for (const t of members) lines.push(`    ${node(t)}`);
    lines.push('  end');
  });
  const present = new Set(graph.tasks.map((t) => t.id));
  for (const t of graph.tasks) {
    for (const dep of t.deps) if (present.has(dep)) lines.push(`  t${dep} --> t${t.id}`);
  }
  for (const [status, colour] of Object.entries(STATUS_COLOURS)) {
    const text = DARK.has(status as ColouredStatus) ? '#fff' : '#263238';
    lines.push(`  classDef ${status} fill:${colour},stroke:#546e7a,color:${text}`);
  }
  return `${lines.join('\n')}\n`;
}
