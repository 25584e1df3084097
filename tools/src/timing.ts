import type * as tf from '@tensorflow/tfjs-core';

/** The median of a list of timings. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** Median wall time in ms of `runs` calls of a tfjs computation (after one warm-up), results read back. */
export async function timeTensorOp(runs: number, fn: () => tf.Tensor): Promise<number> {
  const warm = fn();
  await warm.data();
  warm.dispose();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const y = fn();
    await y.data();
    times.push(performance.now() - t0);
    y.dispose();
  }
  return median(times);
}

/** Median wall time in ms of `runs` calls of an async function (after one warm-up call). */
export async function timeAsync(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}
