import type { TaskNode } from '../graph/task-node.js';
import { Future, nodeOf } from './future.js';

/**
 * Where the futures are among a task's arguments.
 *
 * Futures count at the top level and inside plain arrays and plain objects, at any depth, in
 * depth-first order (which is the order the dispatch walk follows them). Typed arrays, class
 * instances, Maps and Sets are passed as they are.
 */
export interface ScannedArguments {
  /** The distinct tasks the arguments refer to, in first-seen order; undefined if none. */
  deps: TaskNode[] | undefined;
  /** True if a future sits inside a container, so values must be put in by a deep copy. */
  nested: boolean;
}

function isPlainContainer(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Adds `node` to `deps` unless it is there already (small lists scan; big ones use a set). */
class DepList {
  list: TaskNode[] | undefined;
  #seen: Set<TaskNode> | undefined;

  add(node: TaskNode): void {
    const list = this.list;
    if (list === undefined) {
      this.list = [node];
      return;
    }
    if (this.#seen !== undefined) {
      if (this.#seen.has(node)) return;
      this.#seen.add(node);
    } else if (list.length < 16) {
      if (list.includes(node)) return;
    } else {
      this.#seen = new Set(list);
      if (this.#seen.has(node)) return;
      this.#seen.add(node);
    }
    list.push(node);
  }
}

function take(deps: DepList, future: Future<unknown>, owner: object, who: string): void {
  const node = nodeOf(future);
  if (node.owner !== owner) {
    throw new TypeError(
      `Expected the arguments of task \`${who}\` to hold futures of this scheduler, got future ${node.id} (${node.name}) of another one. Await it and pass its value instead.`,
    );
  }
  deps.add(node);
}

/**
 * Finds the futures in `args` (see `ScannedArguments`).
 *
 * @throws TypeError for a future of another scheduler; `who` is the task's name, for the message.
 */
export function scanArguments(
  args: readonly unknown[],
  owner: object,
  who: string,
): ScannedArguments {
  const deps = new DepList();
  let nested = false;
  let seen: Set<unknown> | undefined;
  for (const arg of args) {
    if (arg instanceof Future) {
      take(deps, arg, owner, who);
      continue;
    }
    if (!isPlainContainer(arg)) continue;
    // Depth-first through plain containers, with an explicit stack and a guard against cycles.
    seen ??= new Set();
    const stack: unknown[] = [arg];
    while (stack.length > 0) {
      const value = stack.pop();
      if (value instanceof Future) {
        take(deps, value, owner, who);
        nested = true;
        continue;
      }
      if (!isPlainContainer(value) || seen.has(value)) continue;
      seen.add(value);
      const children = Array.isArray(value) ? value : Object.values(value);
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        if (child instanceof Future || isPlainContainer(child)) stack.push(child);
      }
    }
  }
  return { deps: deps.list, nested };
}

/**
 * Puts each future's value in its place. Top-level futures are replaced in `args` itself (the
 * scheduler owns that array); containers holding futures are copied, never changed.
 */
export function resolveArguments(args: unknown[], nested: boolean): unknown[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg instanceof Future) args[i] = arg.result();
    else if (nested && isPlainContainer(arg)) args[i] = copyResolved(arg, new Map());
  }
  return args;
}

function copyResolved(value: unknown, copies: Map<unknown, unknown>): unknown {
  if (value instanceof Future) return value.result();
  if (!isPlainContainer(value)) return value;
  const done = copies.get(value);
  if (done !== undefined) return done;
  if (Array.isArray(value)) {
    const copy: unknown[] = new Array(value.length);
    copies.set(value, copy);
    for (let i = 0; i < value.length; i++) copy[i] = copyResolved(value[i], copies);
    return copy;
  }
  const copy: Record<string, unknown> = Object.create(Object.getPrototypeOf(value));
  copies.set(value, copy);
  for (const [key, child] of Object.entries(value)) copy[key] = copyResolved(child, copies);
  return copy;
}
