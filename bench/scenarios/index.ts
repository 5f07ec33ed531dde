import type { Scenario } from '../scenario.js';
import { chain } from './chain.js';
import { clusterScenario } from './cluster.js';
import { cpu } from './cpu.js';
import { independent } from './independent.js';
import { instrument } from './instrument.js';
import { reduce } from './reduce.js';
import { resultsFirst } from './results-first.js';
import { seed } from './seed.js';
import { streaming } from './streaming.js';

/** Every scenario, in the order they run. Add new scenario files here. */
export const scenarios: readonly Scenario[] = [
  seed,
  resultsFirst,
  instrument,
  chain,
  reduce,
  independent,
  streaming,
  cpu,
  clusterScenario,
];

/** The scenarios whose name starts with one of `prefixes` (all of them for none). */
export function selectScenarios(prefixes: readonly string[]): Scenario[] {
  if (prefixes.length === 0) return [...scenarios];
  const chosen = scenarios.filter((s) => prefixes.some((prefix) => s.name.startsWith(prefix)));
  if (chosen.length === 0) {
    const known = scenarios.map((s) => s.name).join(', ');
    throw new RangeError(`No scenario starts with ${prefixes.join(' or ')}; known: ${known}.`);
  }
  return chosen;
}

/** The scenario of exactly this name (for the worker). */
export function scenarioNamed(name: string): Scenario {
  const scenario = scenarios.find((s) => s.name === name);
  if (scenario === undefined) throw new RangeError(`No scenario named '${name}'.`);
  return scenario;
}
