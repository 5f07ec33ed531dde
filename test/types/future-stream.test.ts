/**
 * Type-level tests of generator tasks: this file must type-check (`tsc -p tsconfig.json
 * --noEmit`), and each `@ts-expect-error` line must really be an error. The runtime part checks
 * that the same calls also compute what their types say.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Future,
  FutureStream,
  type GeneratorTask,
  Queue,
  Scheduler,
} from '../../src/index.js';

/** True only if X and Y are the same type. */
type Equal<X, Y> =
  (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
function expectType<T extends true>(_proof?: T): void {}

function* squares(n: number) {
  for (let i = 0; i < n; i++) yield i * i;
}
squares.numberOfResults = (n: number) => n;

async function* words(text: string) {
  for (const word of text.split(' ')) yield word;
}

function* mixed(): Generator<number | string, boolean, undefined> {
  yield 1;
  yield 'two';
  return true;
}

function build(sch: Scheduler) {
  const Q = new Queue(sch, { concurrency: 2 });

  // T is inferred from the yield type, for sync and async generator functions.
  const s = Q.submit(squares, 4);
  const w = Q.submit(words, 'a bb ccc');
  const m = Q.submit(mixed);
  const inline = Q.submit(function* () {
    yield { x: 1 };
  });
  expectType<Equal<typeof s, FutureStream<number>>>();
  expectType<Equal<typeof w, FutureStream<string>>>();
  expectType<Equal<typeof m, FutureStream<number | string>>>();
  expectType<Equal<typeof inline, FutureStream<{ x: number }>>>();

  // A generator's arguments take futures like any task's (squares would call its
  // numberOfResults with the future itself, so words takes one here).
  const text = Q.submit(() => 'p q');
  const fromFuture = Q.submit(words, text);
  expectType<Equal<typeof fromFuture, FutureStream<string>>>();

  // at(i) is a Future of one item; the stream is a Future of all items.
  const first = s.at(0);
  expectType<Equal<typeof first, Future<number>>>();
  const asFuture: Future<number[]> = s;
  void asFuture;
  expectType<Equal<typeof s.length, number | undefined>>();

  // An item future stands for an item, the whole stream for the array of items.
  const lengths = Q.submit((a: string, b: number) => a.length + b, w.at(1), s.at(2));
  expectType<Equal<typeof lengths, Future<number>>>();
  const total = Q.submit((xs: number[]) => xs.reduce((p, q) => p + q, 0), s);
  expectType<Equal<typeof total, Future<number>>>();
  const joined = Q.submit((all: { words: string[] }) => all.words.join('-'), { words: w });
  expectType<Equal<typeof joined, Future<string>>>();
  const inferred = Q.submit((v) => v + 1, s.at(1));
  expectType<Equal<typeof inferred, Future<number>>>();

  // Items of one generator feed another.
  const chained = Q.submit(words, w.at(0));
  expectType<Equal<typeof chained, FutureStream<string>>>();

  // Declared count: destructuring gives item futures.
  const [a, b] = s;
  expectType<Equal<typeof a, Future<number> | undefined>>();
  const spread = [...s];
  expectType<Equal<typeof spread, Future<number>[]>>();
  void b;

  // Per-task options keep the same typing.
  const named = Q.options({ name: 'named' }).submit(words, 'x y');
  expectType<Equal<typeof named, FutureStream<string>>>();

  // GeneratorTask describes what submit takes for a stream.
  const task: GeneratorTask<[number], number> = squares;
  void task;

  return { s, w, m, fromFuture, lengths, total, joined, inferred, chained, named };
}

async function loops(s: FutureStream<number>, w: FutureStream<string>): Promise<void> {
  for await (const v of s) expectType<Equal<typeof v, number>>();
  for await (const v of w) expectType<Equal<typeof v, string>>();
  const all = await s;
  expectType<Equal<typeof all, number[]>>();
  const one = await s.at(0);
  expectType<Equal<typeof one, number>>();
  const values = s.result();
  expectType<Equal<typeof values, number[]>>();
}
void loops;

function mismatches(Q: Queue, s: FutureStream<number>, w: FutureStream<string>): void {
  // @ts-expect-error an item future of strings where a number is expected
  Q.submit((x: number) => x, w.at(0));
  // @ts-expect-error the whole stream is an array, not one item
  Q.submit((x: number) => x, s);
  // @ts-expect-error an array of strings where numbers are expected
  Q.submit((xs: number[]) => xs.length, w);
  // @ts-expect-error a generator's arguments are checked too
  Q.submit(squares, 'four');
  // @ts-expect-error the stream is a FutureStream<number>, not of strings
  const wrong: FutureStream<string> = Q.submit(squares, 2);
  void wrong;
  // @ts-expect-error an item is a Future<number>, not a number
  const item: number = s.at(0);
  void item;
  // @ts-expect-error at() takes a number
  s.at('1');
  // @ts-expect-error a FutureStream is not a plain Future of one item
  const single: Future<number> = s;
  void single;
}
void mismatches;

test('the typed generator calls compute what their types say', async () => {
  const sch = new Scheduler();
  const f = build(sch);
  assert.ok(f.s instanceof FutureStream);
  sch.start();
  await sch.wait();
  assert.deepEqual(f.s.result(), [0, 1, 4, 9]);
  assert.deepEqual(f.w.result(), ['a', 'bb', 'ccc']);
  assert.deepEqual(f.m.result(), [1, 'two']);
  assert.equal(f.lengths.result(), 6);
  assert.equal(f.total.result(), 14);
  assert.equal(f.joined.result(), 'a-bb-ccc');
  assert.equal(f.inferred.result(), 2);
  assert.deepEqual(f.chained.result(), ['a']);
  assert.deepEqual(f.named.result(), ['x', 'y']);
  assert.deepEqual(f.fromFuture.result(), ['p', 'q']);
  const got: number[] = [];
  for await (const v of f.s) got.push(v);
  assert.deepEqual(got, [0, 1, 4, 9]);
});
