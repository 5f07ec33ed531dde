import { finiteNonNegative, record, type Where } from '../options/validate.js';

/** A task's resource request, checked and frozen: `[name, amount]` pairs, amounts above 0. */
export type Demand = readonly (readonly [string, number])[];

/** The share of a resource's total that rounding may gain or lose (see `ResourcePool.fits`). */
const GRAIN = 1e-9;

/** Named amounts (names to finite numbers from 0 up). */
export type Amounts = Readonly<Record<string, number>>;

/**
 * Checks a `resources` option (of a queue or of a task) and copies it: an object of names to
 * finite amounts from 0 up, read once, into a null-prototype object (`__proto__` is a name like
 * any other).
 *
 * @throws TypeError for a value that is not such an object or an amount that is not a number;
 *   RangeError for an amount below 0 or not finite.
 */
export function checkAmounts(where: Where, value: unknown): Amounts {
  return record(where, value, finiteNonNegative, 'an object of names to amounts');
}

/**
 * The named counters of one queue (a GPU, a memory budget, an instrument): how much of each
 * exists and how much is free. Tasks take what they ask for when they start and give it back
 * when their slot is freed.
 *
 * Invariant: `0 <= free(name) <= total(name)` for every name.
 */
export class ResourcePool {
  readonly #total = new Map<string, number>();
  readonly #free = new Map<string, number>();
  readonly #queue: string;

  /** @param totals - the queue's `resources` option, checked by {@link checkAmounts}. */
  constructor(queue: string, totals: Amounts | undefined) {
    this.#queue = queue;
    if (totals === undefined) return;
    for (const [name, total] of Object.entries(totals)) {
      this.#total.set(name, total);
      this.#free.set(name, total);
    }
  }

  /**
   * Checks a task's request (its `resources` option, checked by {@link checkAmounts}) against
   * this pool and freezes it.
   *
   * @throws Error naming the resource if the queue lacks it; RangeError if the task asks for
   *   more than the queue's total.
   */
  demand(spec: Amounts | undefined, task: string): Demand | undefined {
    if (spec === undefined) return undefined;
    const pairs: [string, number][] = [];
    for (const [name, amount] of Object.entries(spec)) {
      const total = this.#total.get(name);
      if (total === undefined) {
        const known = [...this.#total.keys()].join(', ') || 'none';
        throw new Error(
          `Task \`${task}\` asks for resource \`${name}\`, which queue ${this.#queue} does not have (it has: ${known}). Add it to the queue's resources or submit the task to a queue that has it.`,
        );
      }
      if (amount > total) {
        throw new RangeError(
          `Task \`${task}\` asks for ${amount} of resource \`${name}\`, more than the ${total} queue ${this.#queue} has in all, so it could never start. Ask for at most ${total}.`,
        );
      }
      if (amount > 0) pairs.push([name, amount]);
    }
    return pairs.length === 0 ? undefined : pairs;
  }

  /**
   * True if every amount of `demand` is free, allowing a billionth of each total for the
   * rounding of fractional amounts (0.1 + 0.2 ...).
   */
  fits(demand: Demand): boolean {
    for (const [name, amount] of demand) {
      const total = this.#total.get(name) as number;
      if ((this.#free.get(name) as number) < amount - total * GRAIN) return false;
    }
    return true;
  }

  take(demand: Demand): void {
    for (const [name, amount] of demand) this.#set(name, (this.#free.get(name) as number) - amount);
  }

  give(demand: Demand): void {
    for (const [name, amount] of demand) this.#set(name, (this.#free.get(name) as number) + amount);
  }

  /**
   * Stores a free amount kept within [0, total], and snapped to 0 or to the total when within
   * a billionth of the total of either: fractional amounts (0.1 + 0.2 ...) drift, and a pool
   * whose tasks all ended could otherwise read 0.9999999999999999 of 1 free and never start a
   * task asking for all of it. The grain follows the total, so that amounts of any size (1e-10,
   * 0.1234567891234, 12345678.987654321) come back whole.
   */
  #set(name: string, free: number): void {
    const total = this.#total.get(name) as number;
    const grain = total * GRAIN;
    let value = Math.min(total, Math.max(0, free));
    if (total - value <= grain) value = total;
    else if (value <= grain) value = 0;
    this.#free.set(name, value);
  }

  /** How much of each resource is free now, and in all (a null-prototype object by name). */
  snapshot(): Record<string, { free: number; total: number }> {
    const out = Object.create(null) as Record<string, { free: number; total: number }>;
    for (const [name, total] of this.#total)
      out[name] = { free: this.#free.get(name) as number, total };
    return out;
  }
}

/**
 * A key that is the same for equal requests and differs for different ones (one ready lane per
 * distinct request), whatever characters the resource names hold.
 */
export function demandKey(demand: Demand): string {
  return JSON.stringify([...demand].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
