/**
 * `smqsched demo`: runs the examples shipped in `dist/examples` and prints what they measured.
 * The examples are plain user code (`examples/*.ts`); the demo only drives them.
 */

interface DemoReport {
  tasks: number;
  firstResultMs: number;
  totalMs: number;
}

interface MatricesModule {
  matrices(options: { n?: number; log?: (line: string) => void }): Promise<DemoReport>;
}

function readOption(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

/** Runs the demo with the given command-line options; returns the exit code. */
export async function runDemo(argv: readonly string[]): Promise<number> {
  const n = Number(readOption(argv, '--n') ?? 100);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(
      `smqsched demo: --n takes a whole number from 1 up, got '${readOption(argv, '--n')}'.\n`,
    );
    return 2;
  }
  const url = new URL('../examples/matrices.js', import.meta.url);
  const { matrices } = (await import(url.href)) as MatricesModule;
  console.log(
    `matrices: ${n} random ${100}x${100} matrices, their inverses, and all ${n * n} products`,
  );
  const report = await matrices({ n });
  console.log(
    `matrices: ${report.tasks} tasks; first final result after ${report.firstResultMs.toFixed(1)} ms, all after ${report.totalMs.toFixed(0)} ms`,
  );
  return 0;
}
