import { blurMap, DARK_BOUNDS, gaussianKernel, modulatedLog, UDP_BOUNDS } from './blur';
import { checkHeatmaps, type Heatmaps, mapMaxima } from './heatmaps';
import { checkCoords } from './inference';

/**
 * MMPose's `refine_keypoints`: moves each keypoint 0.25 px towards the higher of its two
 * neighbours along x (when `1 < x < W - 1`) and along y (when `1 < y < H - 1`), x and y being the
 * truncated coordinates. `coords` are heatmap coordinates (N, K, 2) for `heatmaps` (N, K, H, W);
 * returns new coordinates.
 *
 * @throws DecodeError for mismatched shapes or non-finite inputs.
 */
export function refineKeypoints(coords: ArrayLike<number>, heatmaps: Heatmaps): Float64Array {
  return refinedCopy(coords, heatmaps, (out) => refineQuarter(out, heatmaps));
}

/**
 * Checks the inputs (shapes; finite values, which computing the map maxima verifies) and returns a refined
 * copy of `coords`.
 */
function refinedCopy(
  coords: ArrayLike<number>,
  heatmaps: Heatmaps,
  refine: (out: Float64Array, maxima: Float32Array) => void,
): Float64Array {
  checkHeatmaps(heatmaps);
  checkCoords(coords, heatmaps);
  const maxima = mapMaxima(heatmaps);
  const out = Float64Array.from(coords);
  refine(out, maxima);
  return out;
}

/** {@link refineKeypoints} in place, inputs already checked. */
export function refineQuarter(coords: Float64Array, heatmaps: Heatmaps): void {
  const [n, k, h, w] = heatmaps.shape;
  const { data } = heatmaps;
  for (let m = 0; m < n * k; m++) {
    const x = Math.trunc(coords[2 * m]!);
    const y = Math.trunc(coords[2 * m + 1]!);
    const at = m * h * w + y * w + x;
    if (1 < x && x < w - 1 && 0 < y && y < h) {
      coords[2 * m] += Math.sign(data[at + 1]! - data[at - 1]!) * 0.25;
    }
    if (1 < y && y < h - 1 && 0 < x && x < w) {
      coords[2 * m + 1] += Math.sign(data[at + w]! - data[at - w]!) * 0.25;
    }
  }
}

/**
 * MMPose's `refine_keypoints_dark` (DARK, Zhang et al. 2020): blurs each heatmap with a Gaussian
 * of `blurKernelSize` (zero padding, renormalised to the original maximum), takes
 * `log(max(., 1e-10))`, and moves each keypoint with `1 < x < W - 2`, `1 < y < H - 2` by the
 * Newton step `-H⁻¹∇` of the second-order Taylor expansion (skipped when the Hessian is singular).
 * Returns new coordinates.
 *
 * @throws DecodeError for mismatched shapes, non-finite inputs or an invalid kernel size.
 */
export function refineKeypointsDark(
  coords: ArrayLike<number>,
  heatmaps: Heatmaps,
  blurKernelSize = 11,
): Float64Array {
  return refinedCopy(coords, heatmaps, (out, maxima) => refineDark(out, heatmaps, maxima, blurKernelSize));
}

// Stencil of refine_keypoints_dark: centre, x±1, x±2, y±1, y±2, the four diagonals.
const DARK_DX = [0, 1, -1, 2, -2, 0, 0, 0, 0, 1, 1, -1, -1];
const DARK_DY = [0, 0, 0, 0, 0, 1, -1, 2, -2, 1, -1, 1, -1];
const darkXs = new Int32Array(DARK_DX.length);
const darkYs = new Int32Array(DARK_DX.length);
const darkLog = new Float64Array(DARK_DX.length);

/** {@link refineKeypointsDark} in place, inputs already checked; `maxima` are the map maxima. */
export function refineDark(
  coords: Float64Array,
  heatmaps: Heatmaps,
  maxima: Float32Array,
  blurKernelSize: number,
): void {
  const [n, k, h, w] = heatmaps.shape;
  const kernel = gaussianKernel(blurKernelSize);
  for (let m = 0; m < n * k; m++) {
    const x = Math.trunc(coords[2 * m]!);
    const y = Math.trunc(coords[2 * m + 1]!);
    if (!(1 < x && x < w - 2 && 1 < y && y < h - 2)) continue;
    for (let i = 0; i < DARK_DX.length; i++) {
      darkXs[i] = x + DARK_DX[i]!;
      darkYs[i] = y + DARK_DY[i]!;
    }
    const offset = m * h * w;
    if (
      !modulatedLog(heatmaps.data, offset, h, w, maxima[m]!, darkXs, darkYs, kernel, DARK_BOUNDS, darkLog)
    ) {
      continue;
    }
    const v = darkLog;
    const dx = 0.5 * (v[1]! - v[2]!);
    const dy = 0.5 * (v[5]! - v[6]!);
    const dxx = 0.25 * (v[3]! - 2 * v[0]! + v[4]!);
    const dxy = 0.25 * (v[9]! - v[10]! - v[11]! + v[12]!);
    const dyy = 0.25 * (v[7]! - 2 * v[0]! + v[8]!);
    const det = dxx * dyy - dxy * dxy;
    if (det !== 0) {
      coords[2 * m] -= (dyy * dx - dxy * dy) / det;
      coords[2 * m + 1] -= (dxx * dy - dxy * dx) / det;
    }
  }
}

/**
 * MMPose's `refine_keypoints_dark_udp` (DARK for UDP, Huang et al. 2020): the same blur, then
 * `log(clip(., 1e-3, 50))`, edge padding by one pixel, and the Newton step with the Hessian
 * regularised by float32 epsilon. Unlike DARK it refines every keypoint, including those on the
 * border. Coordinates are truncated per axis and clamped into the map (MMPose indexes a flattened
 * array, which is the same for the integer argmax locations it is designed for). Returns new
 * coordinates.
 *
 * @throws DecodeError for mismatched shapes, non-finite inputs or an invalid kernel size.
 */
export function refineKeypointsDarkUdp(
  coords: ArrayLike<number>,
  heatmaps: Heatmaps,
  blurKernelSize = 11,
): Float64Array {
  return refinedCopy(coords, heatmaps, (out, maxima) => refineDarkUdp(out, heatmaps, maxima, blurKernelSize));
}

// Stencil of refine_keypoints_dark_udp: centre, x±1, y±1, (x+1, y+1), (x-1, y-1).
const UDP_DX = [0, 1, -1, 0, 0, 1, -1];
const UDP_DY = [0, 0, 0, 1, -1, 1, -1];
const udpXs = new Int32Array(UDP_DX.length);
const udpYs = new Int32Array(UDP_DX.length);
const udpLog = new Float64Array(UDP_DX.length);
const FLOAT32_EPS = 2 ** -23;

/** {@link refineKeypointsDarkUdp} in place, inputs already checked; `maxima` are the map maxima. */
export function refineDarkUdp(
  coords: Float64Array,
  heatmaps: Heatmaps,
  maxima: Float32Array,
  blurKernelSize: number,
): void {
  const [n, k, h, w] = heatmaps.shape;
  const kernel = gaussianKernel(blurKernelSize);
  for (let m = 0; m < n * k; m++) {
    const x = clamp(Math.trunc(coords[2 * m]!), w - 1);
    const y = clamp(Math.trunc(coords[2 * m + 1]!), h - 1);
    for (let i = 0; i < UDP_DX.length; i++) {
      udpXs[i] = clamp(x + UDP_DX[i]!, w - 1);
      udpYs[i] = clamp(y + UDP_DY[i]!, h - 1);
    }
    const offset = m * h * w;
    if (!modulatedLog(heatmaps.data, offset, h, w, maxima[m]!, udpXs, udpYs, kernel, UDP_BOUNDS, udpLog)) {
      continue;
    }
    const [c, x1, x_1, y1, y_1, x1y1, x_1y_1] = [
      udpLog[0]!,
      udpLog[1]!,
      udpLog[2]!,
      udpLog[3]!,
      udpLog[4]!,
      udpLog[5]!,
      udpLog[6]!,
    ];
    const dx = 0.5 * (x1 - x_1);
    const dy = 0.5 * (y1 - y_1);
    const dxx = x1 - 2 * c + x_1 + FLOAT32_EPS;
    const dyy = y1 - 2 * c + y_1 + FLOAT32_EPS;
    const dxy = 0.5 * (x1y1 - x1 - y1 + c + c - x_1 - y_1 + x_1y_1);
    const det = dxx * dyy - dxy * dxy;
    if (det !== 0) {
      coords[2 * m] -= (dyy * dx - dxy * dy) / det;
      coords[2 * m + 1] -= (dxx * dy - dxy * dx) / det;
    }
  }
}

function clamp(v: number, max: number): number {
  return Math.max(0, Math.min(v, max));
}

/**
 * MMPose's `gaussian_blur(heatmaps, kernel)`: each map blurred with zero padding and rescaled so
 * its maximum equals the original maximum. A map whose blur has maximum 0 (all zeros) is returned
 * blurred but not rescaled, where MMPose would divide by zero. Returns new heatmaps.
 *
 * @throws DecodeError for an invalid shape, non-finite values or an invalid kernel size.
 */
export function gaussianBlur(heatmaps: Heatmaps, kernel = 11): Heatmaps {
  checkHeatmaps(heatmaps);
  const maxima = mapMaxima(heatmaps);
  const weights = gaussianKernel(kernel);
  const [n, k, h, w] = heatmaps.shape;
  const out = new Float32Array(heatmaps.data.length);
  const map = new Float64Array(h * w);
  for (let m = 0; m < n * k; m++) {
    const blurMax = blurMap(heatmaps.data, m * h * w, h, w, weights, map);
    const c = blurMax === 0 ? 1 : maxima[m]! / blurMax;
    for (let i = 0; i < h * w; i++) out[m * h * w + i] = map[i]! * c;
  }
  return { data: out, shape: heatmaps.shape };
}
