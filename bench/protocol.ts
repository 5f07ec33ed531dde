/** The worker prints its result as one stdout line starting with this tag. */
export const RESULT_TAG = '@@bench-result ';

/** The command line that runs one measurement in a fresh process. */
export function workerArgs(
  workerPath: string,
  scenario: string,
  variant: string,
  size: number,
): string[] {
  return ['--expose-gc', '--import', 'tsx', workerPath, scenario, variant, String(size)];
}
