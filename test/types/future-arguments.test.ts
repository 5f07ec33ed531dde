/**
 * Type-level tests of `submit`: this file must type-check (`tsc -p tsconfig.json --noEmit`),
 * and each `@ts-expect-error` line must really be an error. The runtime part checks that the
 * same calls also compute what their types say.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Arg, type Future, Queue, Scheduler } from '../../src/index.js';

/** True only if X and Y are the same type. */
type Equal<X, Y> =
  (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
function expectType<T extends true>(_proof?: T): void {}

class Matrix {
  constructor(readonly n: number) {}
}

function build(sch: Scheduler) {
  const Q = new Queue(sch, { concurrency: 2 });

  // R is inferred from fn's return; async functions give Awaited<R>.
  const fa = Q.submit(() => 6);
  const fb = Q.submit(async () => 7);
  const fs = Q.submit(() => 'text');
  const fm = Q.submit(async (n: number) => new Matrix(n), 3);
  const fp = Q.submit(() => Promise.resolve([1, 2] as const));
  expectType<Equal<typeof fa, Future<number>>>();
  expectType<Equal<typeof fb, Future<number>>>();
  expectType<Equal<typeof fs, Future<string>>>();
  expectType<Equal<typeof fm, Future<Matrix>>>();
  expectType<Equal<typeof fp, Future<readonly [1, 2]>>>();

  // A Future<T> is accepted where T is expected.
  const sum = Q.submit((x: number, y: number) => x + y, fa, 1);
  expectType<Equal<typeof sum, Future<number>>>();

  // Lambda parameters are inferred from future arguments.
  const product = Q.submit((a, b) => a * b, fa, fb);
  expectType<Equal<typeof product, Future<number>>>();
  const joined = Q.submit(
    (s, n) => {
      expectType<Equal<typeof s, string>>();
      expectType<Equal<typeof n, number>>();
      // @ts-expect-error n is a number, not a string
      const wrong: string = n;
      void wrong;
      return `${s}:${n}`;
    },
    fs,
    fa,
  );
  expectType<Equal<typeof joined, Future<string>>>();
  const size = Q.submit((m) => m.n, fm);
  expectType<Equal<typeof size, Future<number>>>();

  // Futures inside arrays and objects, at any depth.
  const total = Q.submit((xs: number[]) => xs.reduce((p, q) => p + q, 0), [fa, 1, fb]);
  const deep = Q.submit(
    (o: { a: number; b: { c: string[] }; m: Matrix }) => `${o.a}${o.b.c.join('')}${o.m.n}`,
    { a: fa, b: { c: [fs, 'x'] }, m: fm },
  );
  const tuple = Q.submit((t: [number, string]) => t[1].repeat(t[0]), [fa, fs]);
  expectType<Equal<typeof total, Future<number>>>();
  expectType<Equal<typeof deep, Future<string>>>();
  expectType<Equal<typeof tuple, Future<string>>>();

  // Per-task options keep the same typing.
  const named = Q.options({ name: 'named' }).submit((a, b) => a - b, fb, fa);
  expectType<Equal<typeof named, Future<number>>>();

  // Arg<T> is what may stand for a T.
  const argOk: Arg<{ v: number[] }> = { v: [fa, 2] };
  void argOk;

  return { fa, fb, product, joined, size, total, deep, tuple, named, sum };
}

function mismatches(Q: Queue, fs: Future<string>, fa: Future<number>): void {
  // @ts-expect-error a Future<string> where a number is expected
  Q.submit((x: number) => x, fs);
  // @ts-expect-error a Future<string> nested where a number is expected
  Q.submit((o: { x: number }) => o.x, { x: fs });
  // @ts-expect-error a Future<string> inside an array of numbers
  Q.submit((xs: number[]) => xs.length, [fa, fs]);
  // @ts-expect-error too many arguments
  Q.submit((x: number) => x, 1, 2);
  // @ts-expect-error too few arguments
  Q.submit((x: number, y: number) => x + y, fa);
  // @ts-expect-error the result is a Future<number>, not a Future<string>
  const wrong: Future<string> = Q.submit((x: number) => x, fa);
  void wrong;
  // @ts-expect-error a Future<number> is not a number itself
  const plain: number = fa;
  void plain;
  // @ts-expect-error options have the same typing
  Q.options({ name: 'n' }).submit((x: number) => x, fs);
}
void mismatches;

test('the typed calls compute what their types say', async () => {
  const sch = new Scheduler();
  const f = build(sch);
  sch.start();
  await sch.wait();
  assert.equal(f.product.result(), 42);
  assert.equal(f.joined.result(), 'text:6');
  assert.equal(f.size.result(), 3);
  assert.equal(f.total.result(), 14);
  assert.equal(f.deep.result(), '6textx3');
  assert.equal(f.tuple.result(), 'texttexttexttexttexttext');
  assert.equal(f.named.result(), 1);
  assert.equal(f.sum.result(), 7);
  const n: number = await f.product;
  assert.equal(n, 42);
});
