import { DecodeError } from './errors';

/** Heatmap batch shape `[N, K, H, W]`: instances, keypoints, height, width. */
export type HeatmapShape = readonly [n: number, k: number, h: number, w: number];

/**
 * A batch of heatmaps in NCHW order, as a model returns them (tfjs `dataSync()`, ONNX Runtime
 * `tensor.data`, a server's float32 buffer). `data[((n * K + k) * H + y) * W + x]` is the value of
 * keypoint `k` of instance `n` at pixel `(x, y)`.
 */
export interface Heatmaps {
  readonly data: Float32Array;
  readonly shape: HeatmapShape;
}

/**
 * Wraps a flat buffer as {@link Heatmaps}, checking that the shape is made of positive integers and
 * that the buffer length is `N * K * H * W`. Values that are not a `Float32Array` are copied into
 * one (the reference implementations decode float32 heatmaps).
 *
 * @throws DecodeError when the shape is invalid or does not match the buffer length.
 */
export function createHeatmaps(data: Float32Array | ArrayLike<number>, shape: HeatmapShape): Heatmaps {
  const array = data instanceof Float32Array ? data : Float32Array.from(data);
  const heatmaps: Heatmaps = { data: array, shape: [shape[0], shape[1], shape[2], shape[3]] };
  checkHeatmaps(heatmaps);
  return heatmaps;
}

/** Throws a {@link DecodeError} unless `heatmaps` has a valid shape matching its buffer. */
export function checkHeatmaps(heatmaps: Heatmaps, what = 'heatmaps'): void {
  const { data, shape } = heatmaps;
  if (!(data instanceof Float32Array)) {
    throw new DecodeError(`${what}.data must be a Float32Array`);
  }
  if (shape.length !== 4 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new DecodeError(
      `${what}.shape must be [N, K, H, W] of non-negative integers, got [${shape.join(', ')}]`,
    );
  }
  const [n, k, h, w] = shape;
  if (h < 1 || w < 1) {
    throw new DecodeError(`${what} must be at least 1x1, got ${h}x${w}`);
  }
  if (data.length !== n * k * h * w) {
    throw new DecodeError(
      `${what} has ${data.length} values but shape [${shape.join(', ')}] needs ${n * k * h * w}`,
    );
  }
}

/**
 * Throws a {@link DecodeError} naming the instance, keypoint and pixel of the first NaN or
 * Infinity in heatmap `(n, k)` starting at `offset`. Called once a cheap whole-map test failed.
 */
export function throwNonFinite(
  data: Float32Array,
  offset: number,
  n: number,
  k: number,
  w: number,
  what: string,
) {
  let i = offset;
  while (Number.isFinite(data[i])) i++;
  const pixel = i - offset;
  throw new DecodeError(
    `${what}[${n}][${k}] has ${data[i]} at (x=${pixel % w}, y=${Math.floor(pixel / w)}); ` +
      'heatmaps must be finite (NaN/Infinity are rejected, not masked)',
  );
}

/**
 * Checks every map for NaN/Infinity and returns the per-map maxima (N * K). One pass over the data.
 *
 * @throws DecodeError at the first non-finite value.
 */
export function mapMaxima(heatmaps: Heatmaps, what = 'heatmaps'): Float32Array {
  const [n, k, h, w] = heatmaps.shape;
  const { data } = heatmaps;
  const size = h * w;
  const maxima = new Float32Array(n * k);
  for (let m = 0; m < n * k; m++) {
    const offset = m * size;
    let max = data[offset]!;
    // v - v is NaN exactly for NaN and ±Infinity, so one sum flags the whole map.
    let finite = 0;
    for (let i = offset; i < offset + size; i++) {
      const v = data[i]!;
      finite += v - v;
      if (v > max) max = v;
    }
    if (finite !== 0) throwNonFinite(data, offset, Math.floor(m / k), m % k, w, what);
    maxima[m] = max;
  }
  return maxima;
}
