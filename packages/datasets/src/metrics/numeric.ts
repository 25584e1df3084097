/** `np.spacing(1)`: the gap between 1 and the next float64, added by pycocotools to avoid 0/0. */
export const SPACING_1 = 2 ** -52;

const PW_BLOCKSIZE = 128;

/**
 * NumPy's float64 `np.sum` of `values[offset .. offset + n)`: its pairwise summation (8 partial
 * sums below 128 values, halving above), so that results match NumPy to the last bit.
 */
export function pairwiseSum(values: ArrayLike<number>, offset = 0, n = values.length - offset): number {
  return 0 + pairwise(values, offset, n);
}

function pairwise(a: ArrayLike<number>, o: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[o + i]!;
    return res;
  }
  if (n <= PW_BLOCKSIZE) {
    let r0 = a[o]!;
    let r1 = a[o + 1]!;
    let r2 = a[o + 2]!;
    let r3 = a[o + 3]!;
    let r4 = a[o + 4]!;
    let r5 = a[o + 5]!;
    let r6 = a[o + 6]!;
    let r7 = a[o + 7]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      r0 += a[o + i]!;
      r1 += a[o + i + 1]!;
      r2 += a[o + i + 2]!;
      r3 += a[o + i + 3]!;
      r4 += a[o + i + 4]!;
      r5 += a[o + i + 5]!;
      r6 += a[o + i + 6]!;
      r7 += a[o + i + 7]!;
    }
    let res = r0 + r1 + (r2 + r3) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[o + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, o, n2) + pairwise(a, o + n2, n - n2);
}

/** `np.linspace(start, stop, num)`: `i * step + start`, with the last value exactly `stop`. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const step = (stop - start) / (num - 1);
  const y = Float64Array.from({ length: num }, (_, i) => i * step + start);
  y[num - 1] = stop;
  return y;
}
