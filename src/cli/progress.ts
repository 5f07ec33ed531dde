/**
 * Live progress of a running scheduler, per queue: running, done and total tasks, and the
 * count of final results delivered. On a terminal: a bar per queue (cli-progress), redrawn
 * ten times a second. Elsewhere (a pipe, a file, CI): one plain line a second, and one at the
 * end.
 *
 * @module
 */
import cliProgress from 'cli-progress';
import { TimelineRecorder } from '../observe/timeline-recorder.js';
import type { StatusCounts } from '../queues/queue-state.js';
import { engineOf, type Scheduler } from '../scheduler/scheduler.js';

/** Options of `LiveProgress`. */
export interface LiveProgressOptions {
  /** Where to write. @default process.stdout */
  readonly stream?: NodeJS.WriteStream;
  /** Draw bars; @default whether `stream` is a terminal. */
  readonly interactive?: boolean;
}

/** One queue's line: what it shows. */
interface QueueLine {
  readonly queue: string;
  readonly running: number;
  readonly done: number;
  readonly total: number;
}

function lineOf(queue: string, c: StatusCounts): QueueLine {
  const settled = c.done + c.failed + c.cancelled;
  const total = settled + c.waiting + c.ready + c.running;
  return { queue, running: c.running, done: settled, total };
}

/**
 * Final results delivered so far: read from the scheduler's recorder (a counter it keeps), so
 * polling costs nothing even with 100,000 tasks. Undefined when recording is off.
 */
function finalResults(sch: Scheduler): number | undefined {
  const recorder = engineOf(sch)?.recorder;
  return recorder instanceof TimelineRecorder ? recorder.finalResults : undefined;
}

/** Shows one scheduler's progress until `stop()`. */
export class LiveProgress {
  readonly #label: string;
  readonly #stream: NodeJS.WriteStream;
  readonly #interactive: boolean;
  readonly #began = performance.now();
  #sch: Scheduler | undefined;
  #timer: NodeJS.Timeout | undefined;
  #bars: cliProgress.MultiBar | undefined;
  readonly #queueBars = new Map<string, cliProgress.SingleBar>();
  #finalBar: cliProgress.SingleBar | undefined;

  constructor(label: string, options: LiveProgressOptions = {}) {
    this.#label = label;
    this.#stream = options.stream ?? process.stdout;
    this.#interactive = options.interactive ?? this.#stream.isTTY === true;
  }

  /** Starts showing `sch`'s progress (call once its queues exist). */
  watch(sch: Scheduler): void {
    this.#sch = sch;
    if (this.#interactive) {
      this.#bars = new cliProgress.MultiBar(
        {
          stream: this.#stream,
          format: ' {queue} {bar} {done}/{total} done · {running} running',
          barsize: 32,
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
          autopadding: true,
          fps: 10,
        },
        cliProgress.Presets.shades_classic,
      );
      this.#timer = setInterval(() => this.#draw(), 100);
    } else {
      this.#timer = setInterval(() => this.#printLine(), 1000);
    }
    this.#timer.unref();
    this.#draw();
  }

  /** Prints a line of the example's own output, above the bars if there are any. */
  log(line: string): void {
    if (this.#bars !== undefined) this.#bars.log(`${line}\n`);
    else this.#stream.write(`${line}\n`);
  }

  /** Shows the final state and stops. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#bars !== undefined) {
      this.#draw();
      this.#bars.update(); // prints the lines logged since the last redraw: stop() drops them
      this.#bars.stop();
      this.#bars = undefined;
    } else if (this.#sch !== undefined) {
      this.#printLine();
    }
  }

  #lines(): QueueLine[] {
    const stats = (this.#sch as Scheduler).stats();
    return Object.entries(stats.queues).map(([queue, counts]) => lineOf(queue, counts));
  }

  #draw(): void {
    const bars = this.#bars;
    if (bars === undefined || this.#sch === undefined) {
      return;
    }
    const width = Math.max(...this.#lines().map((l) => l.queue.length), 13);
    for (const line of this.#lines()) {
      const payload = { queue: line.queue.padEnd(width), running: line.running };
      let bar = this.#queueBars.get(line.queue);
      if (bar === undefined) {
        bar = bars.create(Math.max(1, line.total), line.done, { ...payload, done: line.done });
        this.#queueBars.set(line.queue, bar);
      }
      bar.setTotal(Math.max(1, line.total));
      bar.update(line.done, { ...payload, done: line.done });
    }
    const final = finalResults(this.#sch);
    if (final === undefined) return;
    this.#finalBar ??= bars.create(
      1,
      0,
      { final },
      { format: ' final results delivered: {final}' },
    );
    this.#finalBar.update(0, { final });
  }

  #printLine(): void {
    if (this.#sch === undefined) return;
    const seconds = ((performance.now() - this.#began) / 1000).toFixed(1);
    const queues = this.#lines().map(
      (l) => `${l.queue}: ${l.running} running, ${l.done}/${l.total} done`,
    );
    const final = finalResults(this.#sch);
    const tail = final === undefined ? '' : ` | final results: ${final}`;
    this.#stream.write(`  [${this.#label} ${seconds} s] ${queues.join('; ')}${tail}\n`);
  }
}
