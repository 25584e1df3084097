import { DecodeError } from './errors';

const kernels = new Map<number, Float64Array>();

/**
 * The 1-D kernel of `cv2.GaussianBlur(src, (size, size), 0)` on float32 images: sigma
 * `0.3 * ((size - 1) / 2 - 1) + 0.8`, normalised in float64, stored as float32 like OpenCV.
 */
export function gaussianKernel(size: number): Float64Array {
  let kernel = kernels.get(size);
  if (kernel) return kernel;
  if (!Number.isInteger(size) || size < 1 || size % 2 !== 1) {
    throw new DecodeError(`blur kernel size must be a positive odd integer, got ${size}`);
  }
  const sigma = 0.3 * ((size - 1) * 0.5 - 1) + 0.8;
  const scale = -0.5 / (sigma * sigma);
  kernel = new Float64Array(size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    const x = i - (size - 1) * 0.5;
    kernel[i] = Math.exp(scale * x * x);
    sum += kernel[i]!;
  }
  for (let i = 0; i < size; i++) kernel[i] = Math.fround(kernel[i]! / sum);
  kernels.set(size, kernel);
  return kernel;
}

/**
 * The zero-padded blur of one map at pixel `(x, y)`: what MMPose's `gaussian_blur` computes there
 * before renormalising (it pads by the kernel radius with zeros, so OpenCV's border rule never
 * applies). Rows first, then columns, like OpenCV's separable filter.
 */
export function blurAt(
  data: Float32Array,
  offset: number,
  h: number,
  w: number,
  x: number,
  y: number,
  kernel: Float64Array,
): number {
  const r = (kernel.length - 1) >> 1;
  const x0 = Math.max(0, x - r);
  const x1 = Math.min(w - 1, x + r);
  const y0 = Math.max(0, y - r);
  const y1 = Math.min(h - 1, y + r);
  let sum = 0;
  for (let yy = y0; yy <= y1; yy++) {
    const base = offset + yy * w;
    const kx = r - x;
    let row = 0;
    for (let xx = x0; xx <= x1; xx++) row += kernel[xx + kx]! * data[base + xx]!;
    sum += kernel[yy - y + r]! * row;
  }
  return sum;
}

let rowScratch = new Float64Array(0);

/**
 * The zero-padded blur of a whole map into `out` (H * W); returns its maximum.
 */
export function blurMap(
  data: Float32Array,
  offset: number,
  h: number,
  w: number,
  kernel: Float64Array,
  out: Float64Array,
): number {
  const r = (kernel.length - 1) >> 1;
  if (rowScratch.length < h * w) rowScratch = new Float64Array(h * w);
  const rows = rowScratch;
  for (let y = 0; y < h; y++) {
    const base = offset + y * w;
    for (let x = 0; x < w; x++) {
      const x0 = Math.max(0, x - r);
      const x1 = Math.min(w - 1, x + r);
      let s = 0;
      for (let xx = x0; xx <= x1; xx++) s += kernel[xx - x + r]! * data[base + xx]!;
      rows[y * w + x] = s;
    }
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let y = 0; y < h; y++) {
    const y0 = Math.max(0, y - r);
    const y1 = Math.min(h - 1, y + r);
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let yy = y0; yy <= y1; yy++) s += kernel[yy - y + r]! * rows[yy * w + x]!;
      out[y * w + x] = s;
      if (s > max) max = s;
    }
  }
  return max;
}

/** How {@link modulatedLog} bounds the renormalised blur before the log. */
export interface LogBounds {
  readonly min: number;
  readonly max: number;
}

/** `np.maximum(heatmaps, 1e-10)` of MMPose's `refine_keypoints_dark`. */
export const DARK_BOUNDS: LogBounds = { min: 1e-10, max: Number.POSITIVE_INFINITY };
/** `np.clip(heatmaps, 1e-3, 50.)` of MMPose's `refine_keypoints_dark_udp`. */
export const UDP_BOUNDS: LogBounds = { min: 1e-3, max: 50 };

/** Bounds the kernel's rounding: the float32 weights may sum to slightly more than 1. */
const MARGIN = 1.0001;

let mapScratch = new Float64Array(0);

/**
 * `log(clip(blur(map) * originMax / max(blur(map)), bounds))` at the stencil pixels
 * `(xs[i], ys[i])`, written to `out`: MMPose's modulation, evaluated only where the Taylor
 * expansion reads it. Returns false when MMPose's renormalisation divides by a zero maximum (an
 * all-zero map; MMPose would produce NaN), in which case the keypoint is left as is.
 *
 * The renormalisation factor `c = originMax / max(blur)` is at least ~1 (the blur of a map never
 * exceeds its maximum), so when every stencil value already clears the lower bound, and the upper
 * bound cannot be reached (`c * blur <= originMax`), `log(c * b) = log(c) + log(b)` and `log(c)`
 * cancels in every derivative: only the stencil needs blurring. Otherwise the whole map is blurred
 * to find `c` exactly.
 */
export function modulatedLog(
  data: Float32Array,
  offset: number,
  h: number,
  w: number,
  originMax: number,
  xs: Int32Array,
  ys: Int32Array,
  kernel: Float64Array,
  bounds: LogBounds,
  out: Float64Array,
): boolean {
  let fast = originMax * MARGIN < bounds.max;
  for (let i = 0; i < xs.length; i++) {
    const b = blurAt(data, offset, h, w, xs[i]!, ys[i]!, kernel);
    out[i] = b;
    if (!(b > bounds.min * MARGIN)) fast = false;
  }
  if (fast) {
    for (let i = 0; i < xs.length; i++) out[i] = Math.log(out[i]!);
    return true;
  }
  if (mapScratch.length < h * w) mapScratch = new Float64Array(h * w);
  const blurred = mapScratch;
  const blurMax = blurMap(data, offset, h, w, kernel, blurred);
  if (blurMax === 0) return false;
  const c = originMax / blurMax;
  for (let i = 0; i < xs.length; i++) {
    const v = c * blurred[ys[i]! * w + xs[i]!]!;
    out[i] = Math.log(Math.min(Math.max(v, bounds.min), bounds.max));
  }
  return true;
}
