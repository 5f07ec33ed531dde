/**
 * The seed's instrument example: one instrument (a queue of concurrency 1) takes shots of two
 * flavours, even and odd; a compute queue of n CPUs reads each shot out and combines every
 * even shot with every odd one. Each acquisition holds the instrument (`hold`) until its
 * readout has finished (`release`), as a detector must be read before the next shot.
 *
 * Nothing says "interleave even and odd": the result-first order does it by itself, so the
 * first output arrives after two acquisitions, not after all the even ones.
 *
 * Run: `npm run build && node --import tsx examples/instrument.ts [shots]`; `npm start` runs
 * it as part of the demo.
 */
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { asCompleted, type Future, Queue, Scheduler } from 'smqsched';

type Flavour = 'even' | 'odd';

interface Shot {
  readonly flavour: Flavour;
  readonly index: number;
  readonly samples: Float64Array;
}

/** Options of `instrument()`. */
export interface InstrumentOptions {
  /** Shots of each flavour (so shots² outputs). */
  shots?: number;
  /** Milliseconds the instrument needs per shot. */
  shotMs?: number;
  /** Called with the scheduler before it starts, e.g. to watch its events. */
  onScheduler?: (sch: Scheduler) => void;
  /** Where lines of output go. */
  log?: (line: string) => void;
}

/** What `instrument()` measured. */
export interface InstrumentReport {
  tasks: number;
  firstResultMs: number;
  totalMs: number;
  /** Acquisitions completed when the first output arrived. */
  acquisitionsBeforeFirstResult: number;
  /** The acquisitions, in the order the instrument took them (e.g. `even7`). */
  acquisitionOrder: string[];
}

export async function instrument(options: InstrumentOptions = {}): Promise<InstrumentReport> {
  const { shots = 12, shotMs = 10, log = console.log } = options;
  const sch = new Scheduler();
  const camera = new Queue(sch, { concurrency: 1, name: 'instrument' });
  const cpu = new Queue(sch, { concurrency: availableParallelism(), name: 'compute' });
  const acquisitionOrder: string[] = [];
  let acquired = 0;

  const acquire = async (flavour: Flavour, index: number): Promise<Shot> => {
    acquisitionOrder.push(`${flavour}${index}`);
    await sleep(shotMs); // the instrument is busy
    const samples = Float64Array.from(
      { length: 4096 },
      (_, i) => Math.sin(i * (index + 1)) + Math.random(),
    );
    acquired++;
    return { flavour, index, samples };
  };
  const readout = async (shot: Shot): Promise<Float64Array> => {
    await sleep(shotMs / 2); // the detector is read out; the instrument stays reserved
    return shot.samples.map((v) => v * 0.5);
  };
  const combine = (even: Float64Array, odd: Float64Array): number => {
    let sum = 0;
    for (let i = 0; i < even.length; i++) sum += (even[i] as number) * (odd[i] as number);
    return sum;
  };

  const readouts: Record<Flavour, Future<Float64Array>[]> = { even: [], odd: [] };
  for (const flavour of ['even', 'odd'] as const) {
    for (let i = 0; i < shots; i++) {
      const shot = camera
        .options({ hold: true, name: `${flavour}${i}` })
        .submit(acquire, flavour, i);
      readouts[flavour][i] = cpu
        .options({ release: shot, name: `read ${flavour}${i}` })
        .submit(readout, shot);
    }
  }
  const outputs: Future<number>[] = [];
  for (let i = 0; i < shots; i++) {
    for (let k = 0; k < shots; k++) {
      const e = readouts.even[i] as Future<Float64Array>;
      const o = readouts.odd[k] as Future<Float64Array>;
      outputs.push(cpu.options({ name: `even${i}×odd${k}` }).submit(combine, e, o));
    }
  }
  options.onScheduler?.(sch);
  const t0 = performance.now();
  sch.start();
  let firstResultMs = Number.NaN;
  let acquisitionsBeforeFirstResult = 0;
  let delivered = 0;
  for await (const out of asCompleted(outputs)) {
    const ms = performance.now() - t0;
    if (delivered++ === 0) {
      firstResultMs = ms;
      acquisitionsBeforeFirstResult = acquired;
    }
    if (delivered <= 4 || delivered === outputs.length) {
      log(
        `${ms.toFixed(0)} ms: output ${delivered}/${outputs.length} (${out.name}) after ${acquired} acquisitions`,
      );
    }
  }
  await sch.wait();
  await sch.close();
  log(`acquisition order: ${acquisitionOrder.join(' ')}`);
  return {
    tasks: 4 * shots + shots * shots,
    firstResultMs,
    totalMs: performance.now() - t0,
    acquisitionsBeforeFirstResult,
    acquisitionOrder,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = await instrument({ shots: Number(process.argv[2] ?? 12) });
  console.log(
    `${report.tasks} tasks; first output after ${report.firstResultMs.toFixed(0)} ms and ${report.acquisitionsBeforeFirstResult} acquisitions; all after ${report.totalMs.toFixed(0)} ms`,
  );
}
