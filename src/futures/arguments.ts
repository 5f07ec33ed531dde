import type { TaskNode } from '../graph/task-node.js';
import { Future, nodeOf } from './future.js';

function isPlainContainer(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return Object.getPrototypeOf(value) === Array.prototype;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Arrays longer than this are walked by their own keys: a sparse one may be 2^32-1 long. */
const INDEXED_UP_TO = 65_536;

/** The keys of a plain container to walk: its own enumerable string keys. */
function keysOf(value: object): readonly string[] | number {
  if (Array.isArray(value) && value.length <= INDEXED_UP_TO) return value.length;
  return Object.keys(value);
}

/** A container's child values: a short array itself, else its own enumerable values. */
function childrenOf(value: object): readonly unknown[] {
  if (Array.isArray(value) && value.length <= INDEXED_UP_TO) return value;
  return Object.values(value);
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
  /** True after `scan` threw its own refusal (a future of another scheduler). */
  refused = false;
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
    this.refused = false;
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
      const children = childrenOf(value);
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        if (child instanceof Future || isPlainContainer(child)) stack.push(child);
      }
    }
  }

  #take(future: Future<unknown>, owner: object, who: string): void {
    const node = nodeOf(future);
    if (node.queue.owner !== owner) {
      this.refused = true;
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
 *
 * @throws what reading an argument throws (a getter, a revoked Proxy), or `NotReadyError` for a
 *   future put into a container after submit that has not finished; the engine fails the task
 *   with `ArgumentError` then.
 */
export function resolveArguments(args: unknown[], nested: boolean): unknown[] {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg instanceof Future) args[i] = arg.result();
    else if (nested && isPlainContainer(arg)) args[i] = copyResolved(arg);
  }
  return args;
}

/** An empty container of `value`'s kind: an array of its length, or an object of its prototype. */
function emptyLike(value: object): unknown[] | Record<string, unknown> {
  return Array.isArray(value)
    ? new Array(value.length)
    : Object.create(Object.getPrototypeOf(value));
}

/**
 * A deep copy of plain containers with every future replaced by its value; other values are
 * shared. Iterative (a structure thousands of levels deep must not overflow the stack), keeps
 * shared and cyclic references as they are, and writes every own key as a data property of the
 * copy: an own `__proto__` key (as `JSON.parse` makes) stays a key, never the copy's prototype.
 */
function copyResolved(root: object): unknown {
  const copies = new Map<unknown, unknown>();
  const rootCopy = emptyLike(root);
  copies.set(root, rootCopy);
  const sources: object[] = [root];
  const targets: (unknown[] | Record<string, unknown>)[] = [rootCopy];
  while (sources.length > 0) {
    const source = sources.pop() as object;
    const target = targets.pop() as unknown[] | Record<string, unknown>;
    const keys = keysOf(source);
    const count = typeof keys === 'number' ? keys : keys.length;
    for (let k = 0; k < count; k++) {
      const key = typeof keys === 'number' ? k : (keys[k] as string);
      const child = (source as Record<string | number, unknown>)[key];
      if (child === undefined && typeof keys === 'number' && !(k in source)) continue; // a hole
      let value: unknown = child;
      if (child instanceof Future) value = child.result();
      else if (isPlainContainer(child)) {
        value = copies.get(child);
        if (value === undefined) {
          const copy = emptyLike(child);
          copies.set(child, copy);
          sources.push(child);
          targets.push(copy);
          value = copy;
        }
      }
      if (key === '__proto__') {
        Object.defineProperty(target, key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      } else (target as Record<string | number, unknown>)[key] = value;
    }
  }
  return rootCopy;
}
