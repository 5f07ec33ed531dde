/**
 * Just enough dense linear algebra for the examples: square matrices stored row-major in a
 * Float64Array. Not a library: the examples need real work, not a fast BLAS.
 */
export interface Matrix {
  readonly n: number;
  readonly data: Float64Array;
}

/** An n-by-n matrix of uniform random numbers in [0, 1) (numpy.random.random((n, n))). */
export function randomMatrix(n: number): Matrix {
  const data = new Float64Array(n * n);
  for (let i = 0; i < data.length; i++) data[i] = Math.random();
  return { n, data };
}

/** The inverse of `m`, by Gauss-Jordan elimination with partial pivoting. */
export function invert(m: Matrix): Matrix {
  const n = m.n;
  const a = Float64Array.from(m.data);
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(a[r * n + col] as number) > Math.abs(a[pivot * n + col] as number)) pivot = r;
    }
    if (a[pivot * n + col] === 0) throw new RangeError('The matrix is singular.');
    if (pivot !== col) {
      swapRows(a, n, pivot, col);
      swapRows(inv, n, pivot, col);
    }
    const scale = 1 / (a[col * n + col] as number);
    for (let c = 0; c < n; c++) {
      a[col * n + c] = (a[col * n + c] as number) * scale;
      inv[col * n + c] = (inv[col * n + c] as number) * scale;
    }
    for (let r = 0; r < n; r++) {
      const factor = a[r * n + col] as number;
      if (r === col || factor === 0) continue;
      for (let c = 0; c < n; c++) {
        a[r * n + c] = (a[r * n + c] as number) - factor * (a[col * n + c] as number);
        inv[r * n + c] = (inv[r * n + c] as number) - factor * (inv[col * n + c] as number);
      }
    }
  }
  return { n, data: inv };
}

function swapRows(data: Float64Array, n: number, r1: number, r2: number): void {
  for (let c = 0; c < n; c++) {
    const t = data[r1 * n + c] as number;
    data[r1 * n + c] = data[r2 * n + c] as number;
    data[r2 * n + c] = t;
  }
}

/** The element-wise product of `a` and `b` (numpy's `a * b`). */
export function multiply(a: Matrix, b: Matrix): Matrix {
  const data = new Float64Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (a.data[i] as number) * (b.data[i] as number);
  return { n: a.n, data };
}

/** The sum of all elements, to print a matrix as one number. */
export function total(m: Matrix): number {
  let sum = 0;
  for (const v of m.data) sum += v;
  return sum;
}
