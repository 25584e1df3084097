import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The measured float32 FMA peak of this machine's cores. */
export interface FmaPeak {
  readonly threads: number;
  /** GFLOP/s, 2 FLOP per multiply-add. */
  readonly gflops: number;
}

/**
 * Compiles and runs `fma-peak.c` (C compiler `$CC` or `cc`, OpenMP) on every core this process may use.
 * Returns the peak, or the reason it could not be measured (no compiler, say).
 */
export function measureFmaPeak(): FmaPeak | { error: string } {
  const source = join(dirname(fileURLToPath(import.meta.url)), 'fma-peak.c');
  const dir = mkdtempSync(join(tmpdir(), 'fma-peak-'));
  try {
    const binary = join(dir, 'fma-peak');
    execFileSync(process.env.CC ?? 'cc', ['-O3', '-march=native', '-fopenmp', source, '-o', binary], {
      stdio: 'pipe',
    });
    const threads = String(availableParallelism());
    const out = execFileSync(binary, { env: { ...process.env, OMP_NUM_THREADS: threads }, encoding: 'utf8' });
    const { threads: used, gflops } = JSON.parse(out) as FmaPeak;
    return { threads: used, gflops };
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] ?? String(error) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
