import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LiveProgress } from '../../src/cli/progress.js';
import { Queue, Scheduler } from '../../src/index.js';

/** A stream that keeps what is written (not a terminal, so progress prints plain lines). */
function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = {
    isTTY: false,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

describe('live progress (plain lines)', () => {
  test('prints running, done and total per queue, and final results delivered', async () => {
    const out = sink();
    const progress = new LiveProgress('job', { stream: out.stream });
    const sch = new Scheduler();
    const cpu = new Queue(sch, { concurrency: 1, name: 'cpu' });
    const io = new Queue(sch, { concurrency: 2, name: 'io' });
    const a = io.submit(async () => 1);
    cpu.submit((x: number) => x + 1, a);
    cpu.submit(() => 3);
    progress.watch(sch);
    progress.log('a line of the example');
    sch.start();
    await sch.wait();
    progress.stop();
    const text = out.text();
    assert.match(text, /a line of the example\n/);
    assert.match(
      text,
      /\[job \d+\.\d s\] cpu: 0 running, 2\/2 done; io: 0 running, 1\/1 done \| final results: 2\n$/,
    );
  });

  test('without recording it shows the queues only', async () => {
    const out = sink();
    const progress = new LiveProgress('off', { stream: out.stream });
    const sch = new Scheduler({ record: false });
    const Q = new Queue(sch, { name: 'q' });
    Q.submit(() => 1);
    progress.watch(sch);
    sch.start();
    await sch.wait();
    progress.stop();
    assert.match(out.text(), /\[off \d+\.\d s\] q: 0 running, 1\/1 done\n$/);
  });
});
