/**
 * A generator task the test drives by hand: it yields, returns or throws only when the test
 * says, so tests of progressive output order their events without any timing.
 */
import { type Deferred, deferred } from './deferred.js';

type Step<T> = { kind: 'yield'; value: T } | { kind: 'end' } | { kind: 'throw'; error: unknown };

/** A hand-driven async generator function and its controls. */
export interface Feed<T> {
  /** The generator function to submit. */
  readonly fn: () => AsyncGenerator<T, void, undefined>;
  /** Makes the generator yield `value` (at once if it waits, else when it next asks). */
  push(value: T): void;
  /** Makes the generator return. */
  end(): void;
  /** Makes the generator throw `error`. */
  fail(error: unknown): void;
  /** Resolves once the generator waits for step `k` (it has yielded k items and goes on). */
  reached(k: number): Promise<void>;
}

/** Makes a hand-driven async generator function named `name`. */
export function feed<T>(name = 'feed'): Feed<T> {
  const steps: Deferred<Step<T>>[] = [];
  const arrivals: Deferred<void>[] = [];
  const stepAt = (k: number): Deferred<Step<T>> => {
    steps[k] ??= deferred<Step<T>>();
    return steps[k];
  };
  const arrivalAt = (k: number): Deferred<void> => {
    arrivals[k] ??= deferred();
    return arrivals[k];
  };
  let given = 0;
  const fn = async function* (): AsyncGenerator<T, void, undefined> {
    for (let k = 0; ; k++) {
      arrivalAt(k).resolve();
      const step = await stepAt(k).promise;
      if (step.kind === 'end') return;
      if (step.kind === 'throw') throw step.error;
      yield step.value;
    }
  };
  Object.defineProperty(fn, 'name', { value: name });
  return {
    fn,
    push: (value) => stepAt(given++).resolve({ kind: 'yield', value }),
    end: () => stepAt(given++).resolve({ kind: 'end' }),
    fail: (error) => stepAt(given++).resolve({ kind: 'throw', error }),
    reached: (k) => arrivalAt(k).promise,
  };
}
