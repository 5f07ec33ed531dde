import { type Deferred, deferred } from './deferred.js';

/**
 * Async task bodies that the test ends by hand: `gates.fn('a')` is a task function named `a`
 * that records its start, counts itself among the running bodies until the test calls
 * `end('a')` or `fail('a', error)`, then returns or throws.
 */
export class Gates {
  /** Labels in the order their bodies started (a retried body appears once per attempt). */
  readonly started: string[] = [];
  /** Labels of the bodies running now. */
  readonly running = new Set<string>();
  /** The highest number of bodies seen running at once. */
  peak = 0;
  readonly #open = new Map<string, Deferred<unknown>>();

  /** A task function named `label`; it resolves with what `end(label, value)` gives. */
  fn<T = string>(label: string): (...args: unknown[]) => Promise<T> {
    const body = async (..._args: unknown[]): Promise<T> => {
      const gate = deferred<unknown>();
      this.#open.set(label, gate);
      this.started.push(label);
      this.running.add(label);
      this.peak = Math.max(this.peak, this.running.size);
      try {
        return (await gate.promise) as T;
      } finally {
        this.running.delete(label);
      }
    };
    Object.defineProperty(body, 'name', { value: label });
    return body;
  }

  /** Lets the running body `label` return `value`. */
  end(label: string, value: unknown = label): void {
    this.#gate(label).resolve(value);
  }

  /** Lets the running body `label` throw `error`. */
  fail(label: string, error: unknown): void {
    this.#gate(label).reject(error);
  }

  #gate(label: string): Deferred<unknown> {
    const gate = this.#open.get(label);
    if (gate === undefined || !this.running.has(label)) {
      throw new Error(`test bug: task ${label} is not running`);
    }
    this.#open.delete(label);
    return gate;
  }
}

/**
 * Awaits `promise`, but fails (rejects with an Error saying `what` hung) if it has not settled
 * within `ms` milliseconds: a test of something that must never hang stays a failing test.
 */
export async function within<T>(promise: PromiseLike<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}
