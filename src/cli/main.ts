#!/usr/bin/env node
/**
 * The `smqsched` command: `smqsched demo`, `smqsched worker`, `smqsched --help`,
 * `smqsched --version`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { runDemo } from './demo.js';
import { WORKER_HELP } from './worker-help.js';

const HELP = `smqsched: a simple multi-queue task scheduler

Usage:
  smqsched demo [NAME...] [--report FILE | --no-report] [--quick]
                            run the seed's examples (matrices, instrument, minima) with live
                            per-queue progress, then write a timeline report (an HTML page;
                            default ./smqsched-report.html). --quick: small sizes. Also: npm start
${WORKER_HELP}  smqsched --version        print the version
  smqsched --help           print this help
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return String(pkg.version);
}

/** Runs the command line `argv` (without node and the script); returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return 0;
    case '--version':
    case '-v':
      process.stdout.write(`${version()}\n`);
      return 0;
    case 'demo':
      return runDemo(rest);
    case 'worker':
      // Imported here only: it loads BullMQ, which no other command needs.
      return (await import('./worker.js')).runWorker(rest);
    default:
      process.stderr.write(`smqsched: unknown command '${command}'. Run smqsched --help.\n`);
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
