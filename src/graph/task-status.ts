/**
 * The life of a task:
 *
 * ```
 * waiting ──(dependencies finished)──> ready ──(slot free)──> running ──> done
 *    │                                   │                        └─────> failed
 *    └──(a dependency failed / aborted)──┴──────────────────────────────> cancelled
 * ```
 */
export type TaskStatus = 'waiting' | 'ready' | 'running' | 'done' | 'failed' | 'cancelled';

/** True for the three final states. */
export function isSettled(status: TaskStatus): boolean {
  return status === 'done' || status === 'failed' || status === 'cancelled';
}
