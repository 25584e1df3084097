import type { AffineMatrix } from '@hrnet/decode';
import { DatasetError } from './errors';
import type { RgbImage } from './image';

const INTER_BITS = 5;
const INTER_TAB_SIZE = 1 << INTER_BITS;
const AB_BITS = 10;
const AB_SCALE = 1 << AB_BITS;
const ROUND_DELTA = AB_SCALE / INTER_TAB_SIZE / 2;
const COEF_BITS = 15;
const COEF_ROUND = 1 << (COEF_BITS - 1);

/** Options of {@link warpAffine}. */
export interface WarpAffineOptions {
  /**
   * Sample the horizontally mirrored image (`image[:, ::-1]`) without copying it: the result equals
   * warping the flipped image with `matrix`.
   */
  readonly flip?: boolean;
  /** Output buffer of `width * height * 3` bytes to fill; a new one when absent. */
  readonly out?: Uint8Array;
}

/** `cvRound`: round half to even, as `lrint` in the default rounding mode. */
function cvRound(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * `cv2.warpAffine(image, matrix, (width, height), flags=INTER_LINEAR)` with the constant border 0,
 * reproducing OpenCV's fixed-point arithmetic: `matrix` (image -> output) is inverted in float64,
 * source coordinates are computed in 1/1024 units and rounded to 1/32 pixel (`INTER_BITS = 5`), and
 * the bilinear weights are 15-bit integers with the rounding of `FixedPtCast` (`remapBilinear`).
 *
 * @throws DatasetError for a singular matrix or a wrong-sized `out`.
 */
export function warpAffine(
  image: RgbImage,
  matrix: AffineMatrix,
  width: number,
  height: number,
  options: WarpAffineOptions = {},
): Uint8Array {
  const { data: src, width: sw, height: sh } = image;
  const out = options.out ?? new Uint8Array(width * height * 3);
  if (out.length !== width * height * 3) {
    throw new DatasetError(`warpAffine: out has ${out.length} bytes, expected ${width * height * 3}`);
  }
  // Inverse map as cv::warpAffine computes it.
  const [m0, m1, m2, m3, m4, m5] = matrix;
  let det = m0 * m4 - m1 * m3;
  if (det === 0 || !Number.isFinite(det)) throw new DatasetError('warpAffine: matrix is singular');
  det = 1 / det;
  const a11 = m4 * det;
  const a22 = m0 * det;
  const i1 = m1 * -det;
  const i3 = m3 * -det;
  const i2 = -a11 * m2 - i1 * m5;
  const i5 = -i3 * m2 - a22 * m5;

  const adelta = new Int32Array(width);
  const bdelta = new Int32Array(width);
  for (let x = 0; x < width; x++) {
    adelta[x] = cvRound(a11 * x * AB_SCALE);
    bdelta[x] = cvRound(i3 * x * AB_SCALE);
  }
  const flip = options.flip === true;
  const flipX = (sw - 1) * INTER_TAB_SIZE;
  const rowStride = sw * 3;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const x0 = cvRound((i1 * y + i2) * AB_SCALE) + ROUND_DELTA;
    const y0 = cvRound((a22 * y + i5) * AB_SCALE) + ROUND_DELTA;
    for (let x = 0; x < width; x++, o += 3) {
      let fx = (x0 + (adelta[x] as number)) >> (AB_BITS - INTER_BITS);
      const fy = (y0 + (bdelta[x] as number)) >> (AB_BITS - INTER_BITS);
      if (flip) fx = flipX - fx;
      const sx = fx >> INTER_BITS;
      const sy = fy >> INTER_BITS;
      const ax = fx & (INTER_TAB_SIZE - 1);
      const ay = fy & (INTER_TAB_SIZE - 1);
      // Weights of the 2x2 neighbourhood in units of 2^-15 (exact: (32 - a) * (32 - b) * 32).
      const w0 = (INTER_TAB_SIZE - ay) * (INTER_TAB_SIZE - ax) * INTER_TAB_SIZE;
      const w1 = (INTER_TAB_SIZE - ay) * ax * INTER_TAB_SIZE;
      const w2 = ay * (INTER_TAB_SIZE - ax) * INTER_TAB_SIZE;
      const w3 = ay * ax * INTER_TAB_SIZE;
      if (sx >= 0 && sy >= 0 && sx < sw - 1 && sy < sh - 1) {
        const p = sy * rowStride + sx * 3;
        const q = p + rowStride;
        for (let c = 0; c < 3; c++) {
          const v =
            (src[p + c] as number) * w0 +
            (src[p + 3 + c] as number) * w1 +
            (src[q + c] as number) * w2 +
            (src[q + 3 + c] as number) * w3;
          out[o + c] = (v + COEF_ROUND) >> COEF_BITS;
        }
      } else if (sx >= sw || sx + 1 < 0 || sy >= sh || sy + 1 < 0) {
        out[o] = 0;
        out[o + 1] = 0;
        out[o + 2] = 0;
      } else {
        const inX0 = sx >= 0 && sx < sw;
        const inX1 = sx + 1 >= 0 && sx + 1 < sw;
        const inY0 = sy >= 0 && sy < sh;
        const inY1 = sy + 1 >= 0 && sy + 1 < sh;
        const p = sy * rowStride + sx * 3;
        const q = p + rowStride;
        for (let c = 0; c < 3; c++) {
          const v0 = inX0 && inY0 ? (src[p + c] as number) : 0;
          const v1 = inX1 && inY0 ? (src[p + 3 + c] as number) : 0;
          const v2 = inX0 && inY1 ? (src[q + c] as number) : 0;
          const v3 = inX1 && inY1 ? (src[q + 3 + c] as number) : 0;
          out[o + c] = (v0 * w0 + v1 * w1 + v2 * w2 + v3 * w3 + COEF_ROUND) >> COEF_BITS;
        }
      }
    }
  }
  return out;
}
