import type { TaskNode } from '../graph/task-node.js';
import { Future, nodeOf } from './future.js';

function isPlainContainer(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Finds where the futures are among a task's arguments. One instance serves a scheduler's
 * submissions one after another, so scanning allocates nothing for arguments without futures.
 *
 * Futures count at the top level and inside plain arrays and plain objects, at any depth, in
 * depth-first order (which is the order the dispatch walk follows them). Typed arrays, class
 * instances, Maps and Sets are passed as they are.
 */
export class ArgumentScan {
  /** The distinct tasks the arguments refer to, in first-seen order; undefined if none. */
  deps: TaskNode[] | undefined;
  /** True if a future sits inside a container, so values must be put in by a deep copy. */
  nested = false;
  /** Membership of `deps` once it is too long to search (small lists are searched). */
  #seen: Set<TaskNode> | undefined;

  /**
   * Scans `args`; read `deps` and `nested` afterwards.
   *
   * @throws TypeError for a future of another scheduler; `who` is the task's name, for the
   *   message.
   */
  scan(args: readonly unknown[], owner: object, who: string): void {
    this.deps = undefined;
    this.nested = false;
    this.#seen = undefined;
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg instanceof Future) this.#take(arg, owner, who);
      else if (isPlainContainer(arg)) this.#scanContainer(arg, owner, who);
    }
  }

  /** Adds dependencies that are not arguments (`release`, then `after`), already checked. */
  addDeps(nodes: readonly TaskNode[]): void {
    for (const node of nodes) this.#add(node);
  }

  /** Depth-first through plain containers, with an explicit stack and a guard against cycles. */
  #scanContainer(container: object, owner: object, who: string): void {
    const visited = new Set<unknown>();
    const stack: unknown[] = [container];
    while (stack.length > 0) {
      const value = stack.pop();
      if (value instanceof Future) {
        this.#take(value, owner, who);
        this.nested = true;
        continue;
      }
      if (!isPlainContainer(value) || visited.has(value)) continue;
      visited.add(value);
      const children = Array.isArray(value) ? value : Object.values(value);
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        if (child instanceof Future || isPlainContainer(child)) stack.push(child);
      }
    }
  }

  #take(future: Future<unknown>, owner: object, who: string): void {
    const node = nodeOf(future);
    if (node.queue.owner !== owner) {
      throw new TypeError(
        `Expected the arguments of task \`${who}\` to hold futures of this scheduler, got future ${node.id} (${node.name}) of another one. Await it and pass its value instead.`,
      );
    }
    this.#add(node);
  }

  #add(node: TaskNode): void {
    const deps = this.deps;
    if (deps === undefined) {
      this.deps = [node];
      return;
    }
    if (this.#seen === undefined && deps.length >= 16) this.#seen = new Set(deps);
    if (this.#seen === undefined) {
      if (deps.includes(node)) return;
    } else {
      if (this.#seen.has(node)) return;
      this.#seen.add(node);
    }
    deps.push(node);
  }
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
