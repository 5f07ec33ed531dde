/**
 * The usage of `smqsched worker`, apart from worker.ts so that `--help` does not load BullMQ.
 *
 * @module
 */

/** The usage lines of `smqsched worker`, for `smqsched --help`. */
export const WORKER_HELP = `  smqsched worker --connection URL --queue NAME --tasks MODULE [--tasks MODULE...]
                  [--concurrency N] [--lock-duration MS] [--stalled-interval MS] [--max-stalled N]
                            serve a cluster() queue: run the exported functions of the MODULEs
                            (and nothing else) for the jobs of queue NAME on the Redis at URL
                            (redis://[:PASSWORD@]HOST:PORT[/DB], rediss:// for TLS; default
                            $SMQSCHED_CONNECTION, which keeps a password out of the process
                            list), N at once (default 1). SIGTERM or SIGINT: finish the running
                            jobs and exit; a second one: exit now, leaving them to other workers
`;
