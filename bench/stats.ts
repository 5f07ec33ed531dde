import type { GroupResult } from './scenario.js';

/** The median of a non-empty list (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** The median time of a finished group, or undefined if it has no successful run. */
export function medianMs(group: GroupResult | undefined): number | undefined {
  if (group === undefined || group.runs.length === 0) return undefined;
  return median(group.runs.map((run) => run.ms));
}

/** The median of an extra figure over a group's runs, or undefined if no run reported it. */
export function medianExtra(group: GroupResult | undefined, key: string): number | undefined {
  const values = (group?.runs ?? []).flatMap((run) => {
    const value = run.extra?.[key];
    return value === undefined ? [] : [value];
  });
  return values.length === 0 ? undefined : median(values);
}

/** The group of a variant at a size. */
export function findGroup(
  groups: readonly GroupResult[],
  variant: string,
  size: number,
): GroupResult | undefined {
  return groups.find((group) => group.variant === variant && group.size === size);
}

/** `value` with thousands separators and the given decimals. */
export function formatNumber(value: number, decimals = 0): string {
  return value.toLocaleString('en-US', {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
}

/** A ratio: two decimals, or two significant digits below 0.1 so it never reads as 0. */
export function formatRatio(ratio: number): string {
  return ratio >= 0.1 ? formatNumber(ratio, 2) : ratio.toPrecision(2);
}

/** "met" or "MISSED" for a figure against an upper bound. */
export function verdict(value: number, atMost: number): string {
  return value <= atMost ? 'met' : 'MISSED';
}
