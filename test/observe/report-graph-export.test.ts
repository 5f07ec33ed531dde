import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Queue, Scheduler, toDot, toMermaid } from '../../src/index.js';
import { deferred } from '../helpers/deferred.js';

/**
 * a (done) -> b (done, on io) -> d (waiting); c (running) -> d; e failed; f cancelled (needs e).
 * Returns once d waits, c runs, and the rest settled; `finish()` lets c end.
 */
async function halfway(record: boolean) {
  const sch = new Scheduler({ record });
  const cpu = new Queue(sch, { concurrency: 2, name: 'cpu' });
  const io = new Queue(sch, { concurrency: 1, name: 'io "disk"' });
  const gate = deferred<number>();
  const a = cpu.options({ name: 'a' }).submit(() => 1);
  const b = io.options({ name: 'b' }).submit((x: number) => x + 1, a);
  const c = cpu.options({ name: 'c' }).submit(() => gate.promise);
  const d = cpu.options({ name: 'd' }).submit((x: number, y: number) => x + y, b, c);
  const e = cpu.options({ name: 'e' }).submit((): number => {
    throw new Error('boom');
  });
  const f = cpu.options({ name: 'f' }).submit((x: number) => x, e);
  sch.start();
  await b;
  await e.then(
    () => undefined,
    () => undefined,
  );
  const finish = async () => {
    gate.resolve(2);
    await sch.wait().catch(() => undefined);
  };
  return { sch, ids: { a: a.id, b: b.id, c: c.id, d: d.id, e: e.id, f: f.id }, finish };
}

describe('graph export', () => {
  test('toDot: clusters per queue, states as colours, an edge per dependency', async () => {
    const { sch, ids, finish } = await halfway(true);
    const dot = toDot(sch);
    assert.match(dot, /^digraph smqsched \{/);
    assert.match(dot, /label="cpu";/);
    assert.match(dot, /label="io \\"disk\\"";/, 'quotes escaped');
    const fill = (id: number) => new RegExp(`t${id} \\[[^\\]]*fillcolor="([^"]+)"`).exec(dot)?.[1];
    assert.equal(fill(ids.a), '#43a047', 'done is green');
    assert.equal(fill(ids.c), '#1e88e5', 'running is blue');
    assert.equal(fill(ids.d), '#cfd8dc', 'waiting is pale grey');
    assert.equal(fill(ids.e), '#e53935', 'failed is red');
    assert.equal(fill(ids.f), '#9e9e9e', 'cancelled is grey');
    for (const [from, to] of [
      [ids.a, ids.b],
      [ids.b, ids.d],
      [ids.c, ids.d],
      [ids.e, ids.f],
    ]) {
      assert.ok(dot.includes(`t${from} -> t${to};`), `edge ${from} -> ${to}`);
    }
    await finish();
    assert.match(toDot(sch), new RegExp(`t${ids.d} \\[[^\\]]*fillcolor="#43a047"`), 'd done');
  });

  test('toMermaid: subgraphs, classes per state, edges', async () => {
    const { sch, ids, finish } = await halfway(true);
    const mermaid = toMermaid(sch);
    assert.match(mermaid, /^flowchart LR\n/);
    assert.match(mermaid, /subgraph q1\["io #quot;disk#quot;"\]/);
    assert.ok(mermaid.includes(`t${ids.c}["c #${ids.c}"]:::running`));
    assert.ok(mermaid.includes(`t${ids.d}["d #${ids.d}"]:::waiting`));
    assert.ok(mermaid.includes(`t${ids.b} --> t${ids.d}`));
    assert.match(mermaid, /classDef failed fill:#e53935/);
    await finish();
  });

  test('without recording: the unfinished tasks, and finished ones only as dependencies', async () => {
    const { sch, ids, finish } = await halfway(false);
    const dot = toDot(sch);
    assert.ok(dot.includes(`t${ids.d} [label="d #${ids.d}"`));
    assert.ok(dot.includes(`t${ids.c} [label="c #${ids.c}"`));
    assert.ok(dot.includes(`t${ids.b} [label="#${ids.b} (finished)"`), 'b, needed by d');
    assert.ok(!dot.includes(`t${ids.a} [`), 'a is gone: nothing pending needs it');
    assert.ok(dot.includes(`t${ids.b} -> t${ids.d};`));
    await finish();
    assert.doesNotMatch(toDot(sch), /t\d+ \[/, 'nothing left once all finished');
  });

  test('maxTasks keeps the unfinished and the newest, and says what it left out', async () => {
    const { sch, ids, finish } = await halfway(true);
    const dot = toDot(sch, { maxTasks: 3 });
    assert.match(dot, /\/\/ 3 older finished tasks left out/);
    assert.ok(dot.includes(`t${ids.c} [`) && dot.includes(`t${ids.d} [`));
    assert.ok(dot.includes(`t${ids.f} [`), 'the newest finished one');
    assert.match(toMermaid(sch, { maxTasks: 3 }), /%% 3 older finished tasks left out/);
    assert.throws(() => toDot(sch, { maxTasks: 0 }), RangeError);
    assert.throws(() => toDot({} as Scheduler), TypeError);
    await finish();
  });
});
