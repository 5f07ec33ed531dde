/**
 * The seed's instrument example as a benchmark: one instrument (a queue of 1) takes `shots`
 * shots of each of two flavours, 10 ms a shot, and stays reserved until the shot is read out
 * (5 ms) on the compute queue (2 slots); every even shot is then combined with every odd one.
 * Measured: the time to the first output, and how many outputs are delivered before the last
 * acquisition ends (the more, the better the pipeline uses the instrument's time).
 *
 * The peer is the same graph on p-queue, one queue per resource (instrument 1, compute 2),
 * FIFO: each acquisition holds the instrument's slot until its readout ends, and each output
 * is queued on the compute queue once both of its readouts are done.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { measure, toRunResult } from '../measure.js';
import { type GroupResult, type RunResult, type Scenario, SUBJECT } from '../scenario.js';
import { findGroup, formatNumber, medianExtra } from '../stats.js';

const SHOT_MS = 10;
const READOUT_MS = 5;
const COMPUTE_SLOTS = 2;
const SAMPLES = 4096;
const P_QUEUE = 'p-queue';
const FIRST_MS = 'firstOutputMs';
const BEFORE_LAST = 'outputsBeforeLastAcquisition';

/** What both variants share: the task functions and the record of what happened when. */
class Run {
  start = 0;
  acquisitions = 0;
  lastAcquisitionAt = Number.NaN;
  readonly outputTimes: number[] = [];

  constructor(readonly shots: number) {}

  async acquire(index: number): Promise<Float64Array> {
    await sleep(SHOT_MS);
    if (++this.acquisitions === 2 * this.shots) this.lastAcquisitionAt = performance.now();
    return Float64Array.from({ length: SAMPLES }, (_, i) => Math.sin(i * (index + 1)));
  }

  async readout(samples: Float64Array): Promise<Float64Array> {
    await sleep(READOUT_MS);
    return samples.map((v) => v * 0.5);
  }

  combine(even: Float64Array, odd: Float64Array): number {
    let sum = 0;
    for (let i = 0; i < SAMPLES; i++) sum += (even[i] as number) * (odd[i] as number);
    this.outputTimes.push(performance.now());
    return sum;
  }

  figures(): Record<string, number> {
    const outputs = this.outputTimes.length;
    if (outputs !== this.shots * this.shots) {
      throw new Error(`instrument: ${outputs} outputs, expected ${this.shots * this.shots}.`);
    }
    return {
      [FIRST_MS]: (this.outputTimes[0] as number) - this.start,
      [BEFORE_LAST]: this.outputTimes.filter((t) => t < this.lastAcquisitionAt).length,
    };
  }
}

async function smqschedRun(shots: number): Promise<RunResult> {
  const { Queue, Scheduler } = await import('../../dist/index.js');
  type Readout = import('../../dist/index.js').Future<Float64Array>;
  const run = new Run(shots);
  const measured = await measure(async () => {
    run.start = performance.now();
    const sch = new Scheduler({ record: false });
    const camera = new Queue(sch, { concurrency: 1, name: 'instrument' });
    const cpu = new Queue(sch, { concurrency: COMPUTE_SLOTS, name: 'compute' });
    const readouts: Readout[][] = [[], []];
    for (const flavour of [0, 1]) {
      for (let i = 0; i < shots; i++) {
        const shot = camera.options({ hold: true }).submit((n: number) => run.acquire(n), i);
        const readout = cpu
          .options({ release: shot })
          .submit((s: Float64Array) => run.readout(s), shot);
        readouts[flavour]?.push(readout);
      }
    }
    for (const even of readouts[0] ?? []) {
      for (const odd of readouts[1] ?? []) {
        cpu.submit((e: Float64Array, o: Float64Array) => run.combine(e, o), even, odd);
      }
    }
    sch.start();
    await sch.wait();
  });
  return toRunResult(measured, 4 * shots + shots * shots, run.figures());
}

async function pQueueRun(shots: number): Promise<RunResult> {
  const { default: PQueue } = await import('p-queue');
  const run = new Run(shots);
  const measured = await measure(async () => {
    run.start = performance.now();
    const camera = new PQueue({ concurrency: 1 });
    const cpu = new PQueue({ concurrency: COMPUTE_SLOTS });
    const readouts: Promise<Float64Array>[][] = [[], []];
    for (const flavour of [0, 1]) {
      for (let i = 0; i < shots; i++) {
        // The instrument's slot is held until the readout (on the compute queue) ends.
        const readout = camera.add(async () => {
          const samples = await run.acquire(i);
          return cpu.add(() => run.readout(samples));
        });
        readouts[flavour]?.push(readout);
      }
    }
    const outputs: Promise<number>[] = [];
    for (const even of readouts[0] ?? []) {
      for (const odd of readouts[1] ?? []) {
        outputs.push(Promise.all([even, odd]).then(([e, o]) => cpu.add(() => run.combine(e, o))));
      }
    }
    await Promise.all(outputs);
  });
  return toRunResult(measured, 4 * shots + shots * shots, run.figures());
}

function run(variant: string, shots: number): Promise<RunResult> {
  return variant === SUBJECT ? smqschedRun(shots) : pQueueRun(shots);
}

function summarize(groups: readonly GroupResult[]): string[] {
  const lines: string[] = [];
  for (const shots of new Set(groups.map((group) => group.size))) {
    for (const variant of [SUBJECT, P_QUEUE]) {
      const group = findGroup(groups, variant, shots);
      const first = medianExtra(group, FIRST_MS);
      const before = medianExtra(group, BEFORE_LAST);
      if (first === undefined || before === undefined) continue;
      lines.push(
        `${shots} shots of each flavour, ${variant}: first output after ` +
          `${formatNumber(first, 1)} ms; ${formatNumber(before)} of ${formatNumber(shots * shots)} ` +
          'outputs delivered before the last acquisition ended',
      );
    }
  }
  return lines;
}

export const instrument: Scenario = {
  name: 'instrument',
  description: `an instrument queue of 1 (${SHOT_MS} ms a shot, held until its ${READOUT_MS} ms readout) and a compute queue of ${COMPUTE_SLOTS}; every even shot times every odd one`,
  variants: [{ name: SUBJECT }, { name: P_QUEUE }],
  sizes: [12, 24],
  sizeLabel: (shots) => `${shots}+${shots} shots`,
  run,
  summarize,
};
