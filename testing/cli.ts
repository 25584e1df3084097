import { type ExecFileOptions, execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './shared';

const run = promisify(execFile);

/** The `hrnet` bin as the workspace links it (it runs `packages/cli/dist`: build the cli first). */
export const hrnetBin = join(repoRoot, 'node_modules', '.bin', 'hrnet');

/** Runs `hrnet` with `args`; rejects (with `code`, `stdout`, `stderr`) on a non-zero exit. */
export function runHrnet(
  args: string[],
  options: ExecFileOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  return run(hrnetBin, args, { ...options, encoding: 'utf8' }) as Promise<{ stdout: string; stderr: string }>;
}

/** Runs `hrnet` with `args`, which must fail: returns its exit code and stderr. */
export async function hrnetFails(
  args: string[],
  options: ExecFileOptions = {},
): Promise<{ code: number; stderr: string }> {
  try {
    await runHrnet(args, options);
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error(`hrnet ${args.join(' ')} succeeded but should have failed`);
}

/** Largest absolute difference between two arrays of the same length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`arrays differ in length: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
