import { type Future, Queue, Scheduler } from '../../src/index.js';

/** What a soak run measured. */
export interface SoakFigures {
  tasks: number;
  seconds: number;
  /**
   * heapUsed plus arrayBuffers (typed arrays live outside the JS heap) after gc, in bytes,
   * once `checkpoint` tasks had settled, and at the end.
   */
  heapAtCheckpoint: number;
  heapAtEnd: number;
  /** process.getActiveResourcesInfo() before the scheduler was made, at the checkpoint and at the end. */
  handlesBefore: string[];
  handlesAtCheckpoint: string[];
  handlesAtEnd: string[];
}

/** Lets pending immediates and timers of the finished work run, then collects garbage. */
async function quiet(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
}

/**
 * The live heap: heapUsed plus arrayBuffers after full collections, the least of three reads
 * a turn apart (what a collection frees late, or the test runner allocates, is noise here).
 */
async function collect(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('the soak needs node --expose-gc');
  let least = Number.POSITIVE_INFINITY;
  for (let read = 0; read < 3; read++) {
    gc();
    gc();
    const usage = process.memoryUsage();
    least = Math.min(least, usage.heapUsed + usage.arrayBuffers);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return least;
}

/**
 * Streams `total` trivial tasks through one scheduler, submitted in batches while it runs:
 * sync and async tasks, some depending on the task before them, now and then a small
 * generator and a task on one of its items. The user keeps no future past its batch. Measures
 * the heap (after gc) and the active handles once `checkpoint` tasks settled and at the end.
 */
export async function soak(
  total: number,
  checkpoint: number,
  record = false,
): Promise<SoakFigures> {
  const handlesBefore = process.getActiveResourcesInfo();
  const began = performance.now();
  const sch = new Scheduler({ record });
  const Q = new Queue(sch, { concurrency: 4, name: 'soak' });
  const io = new Queue(sch, { concurrency: 16, name: 'io' });
  const batch = 10_000;
  const plus = (x: number): number => x + 1;
  const later = async (x: number): Promise<number> => x * 2;
  function* pair(x: number): Generator<number> {
    yield x;
    yield x + 1;
  }
  sch.start();
  let heapAtCheckpoint = 0;
  let handlesAtCheckpoint: string[] = [];
  let previousLast: Future<number> | undefined;
  for (let submitted = 0; submitted < total; ) {
    let last: Future<number> | undefined;
    let before: Future<number> | undefined;
    for (let i = 0; i < batch && submitted < total; i++, submitted++) {
      const kind = submitted % 100;
      if (kind === 0 && submitted + 3 <= total) {
        const stream = Q.submit(pair, submitted);
        before = Q.submit(plus, stream.at(1));
        submitted += 1;
        i += 1;
      } else if (kind % 10 === 1) before = io.submit(later, submitted);
      else if (kind % 3 === 0 && before !== undefined) before = Q.submit(plus, before);
      else before = Q.submit(plus, submitted);
      last = before;
    }
    // Stream: the next batch goes in while this one still runs, once the one before is done.
    if (previousLast !== undefined) await previousLast;
    previousLast = last;
    if (submitted >= checkpoint && heapAtCheckpoint === 0) {
      await sch.wait();
      previousLast = undefined;
      await quiet();
      heapAtCheckpoint = await collect();
      handlesAtCheckpoint = process.getActiveResourcesInfo();
    }
  }
  await sch.wait();
  previousLast = undefined;
  await quiet();
  const heapAtEnd = await collect();
  const handlesAtEnd = process.getActiveResourcesInfo();
  await sch.close();
  return {
    tasks: total,
    seconds: (performance.now() - began) / 1000,
    heapAtCheckpoint,
    heapAtEnd,
    handlesBefore,
    handlesAtCheckpoint,
    handlesAtEnd,
  };
}
