/**
 * The task module of the cluster bench: `smqsched worker --tasks bench/cluster-echo.mjs`.
 * Plain JavaScript, so the worker runs compiled code only, like the plain BullMQ worker.
 */

/** A trivial task: the round trip is all there is to it. */
export function echo(value) {
  return value;
}
