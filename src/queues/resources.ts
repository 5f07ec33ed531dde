import { describeValue } from '../errors.js';

/** A task's resource request, checked and frozen: `[name, amount]` pairs, amounts above 0. */
export type Demand = readonly (readonly [string, number])[];

function checkAmount(value: unknown, what: string): number {
  if (typeof value !== 'number') {
    throw new TypeError(`Expected ${what} to be a number from 0 up, got ${describeValue(value)}.`);
  }
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(
      `Expected ${what} to be a finite number from 0 up, got ${describeValue(value)}.`,
    );
  }
  return value;
}

function checkRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(
      `Expected ${what} to be an object of names to amounts, got ${describeValue(value)}.`,
    );
  }
  return value as Record<string, unknown>;
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

  /** @throws TypeError / RangeError for a malformed `resources` queue option. */
  constructor(queue: string, spec: unknown) {
    this.#queue = queue;
    if (spec === undefined) return;
    for (const [name, amount] of Object.entries(
      checkRecord(spec, `\`resources\` of queue ${queue}`),
    )) {
      const total = checkAmount(amount, `resource \`${name}\` of queue ${queue}`);
      this.#total.set(name, total);
      this.#free.set(name, total);
    }
  }

  /**
   * Checks a task's request against this pool and freezes it.
   *
   * @throws Error naming the resource if the queue lacks it; RangeError if the task asks for
   *   more than the queue's total; TypeError for a malformed request.
   */
  demand(spec: unknown, task: string): Demand | undefined {
    if (spec === undefined) return undefined;
    const pairs: [string, number][] = [];
    for (const [name, value] of Object.entries(
      checkRecord(spec, `\`resources\` of task \`${task}\``),
    )) {
      const amount = checkAmount(value, `resource \`${name}\` of task \`${task}\``);
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

  fits(demand: Demand): boolean {
    for (const [name, amount] of demand)
      if ((this.#free.get(name) as number) < amount) return false;
    return true;
  }

  take(demand: Demand): void {
    for (const [name, amount] of demand) this.#set(name, (this.#free.get(name) as number) - amount);
  }

  give(demand: Demand): void {
    for (const [name, amount] of demand) this.#set(name, (this.#free.get(name) as number) + amount);
  }

  /**
   * Stores a free amount rounded to 9 decimals and kept within [0, total]: fractional
   * amounts (0.1 + 0.2 ...) would otherwise drift, and a pool whose tasks all ended could read
   * 0.9999999999999999 of 1 free and never start a task asking for all of it.
   */
  #set(name: string, free: number): void {
    const total = this.#total.get(name) as number;
    this.#free.set(name, Math.min(total, Math.max(0, Math.round(free * 1e9) / 1e9)));
  }

  /** How much of each resource is free now, and in all. */
  snapshot(): Record<string, { free: number; total: number }> {
    const out: Record<string, { free: number; total: number }> = {};
    for (const [name, total] of this.#total)
      out[name] = { free: this.#free.get(name) as number, total };
    return out;
  }
}

/** A key that is the same for equal requests (one ready lane per distinct request). */
export function demandKey(demand: Demand): string {
  return demand
    .map(([name, amount]) => `${name}=${amount}`)
    .sort()
    .join('&');
}
