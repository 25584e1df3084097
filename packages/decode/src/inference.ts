import { getAffineTransform } from './affine';
import { DecodeError } from './errors';
import { checkHeatmaps, type Heatmaps, throwNonFinite } from './heatmaps';
import { type PointList, readPoints } from './points';

/** Keypoint predictions of a batch: coordinates and the heatmap maxima they came from. */
export interface KeypointPreds {
  /** (N, K, 2): x, y of keypoint `k` of instance `n` at `2 * (n * K + k)`. */
  readonly coords: Float64Array;
  /** (N, K): the heatmap maximum of each keypoint, the official keypoint score. */
  readonly maxvals: Float32Array;
  readonly numInstances: number;
  readonly numKeypoints: number;
}

/**
 * The official `get_max_preds`: the argmax of every heatmap (first index on ties) in heatmap
 * pixel coordinates, and its value. Keypoints whose maximum is `<= 0` get coordinates (0, 0).
 *
 * @throws DecodeError for an invalid shape or a NaN/Infinity in the heatmaps.
 */
export function getMaxPreds(heatmaps: Heatmaps): KeypointPreds {
  checkHeatmaps(heatmaps);
  const [n, k, h, w] = heatmaps.shape;
  const { data } = heatmaps;
  const size = h * w;
  const coords = new Float64Array(n * k * 2);
  const maxvals = new Float32Array(n * k);
  for (let m = 0; m < n * k; m++) {
    const offset = m * size;
    let best = offset;
    let max = data[offset]!;
    // v - v is NaN exactly for NaN and ±Infinity, so one sum flags the whole map.
    let finite = 0;
    for (let i = offset; i < offset + size; i++) {
      const v = data[i]!;
      finite += v - v;
      if (v > max) {
        max = v;
        best = i;
      }
    }
    if (finite !== 0) throwNonFinite(data, offset, Math.floor(m / k), m % k, w, 'heatmaps');
    maxvals[m] = max;
    if (max > 0) {
      const idx = best - offset;
      coords[2 * m] = idx % w;
      coords[2 * m + 1] = Math.floor(idx / w);
    }
  }
  return { coords, maxvals, numInstances: n, numKeypoints: k };
}

/** Options of {@link getFinalPreds}. */
export interface FinalPredsOptions {
  /** The official `TEST.POST_PROCESS`: the quarter-pixel shift towards the higher neighbour. Default true. */
  readonly postProcess?: boolean;
}

/**
 * The official `get_final_preds(config, batch_heatmaps, center, scale)`: {@link getMaxPreds},
 * then (with `postProcess`) a 0.25 px shift along the sign of the neighbour difference for
 * keypoints with `1 < px < W - 1` and `1 < py < H - 1` (px, py = floor(coord + 0.5)), then
 * {@link transformPreds} to image coordinates.
 *
 * @param centers - box centers in image pixels, one per instance.
 * @param scales - box scales in units of 200 pixels, one per instance.
 * @throws DecodeError for mismatched counts, invalid shapes or non-finite inputs.
 */
export function getFinalPreds(
  heatmaps: Heatmaps,
  centers: PointList,
  scales: PointList,
  options: FinalPredsOptions = {},
): KeypointPreds {
  const preds = getMaxPreds(heatmaps);
  const [n] = heatmaps.shape;
  const c = readPoints(centers, 'centers', n, `heatmaps have ${n} instances`);
  const s = readPoints(scales, 'scales', n, `heatmaps have ${n} instances`);
  if (options.postProcess ?? true) quarterOffset(preds.coords, heatmaps);
  toImage(preds.coords, heatmaps, c, s);
  return preds;
}

/** The official POST_PROCESS quarter offset, in place on heatmap coordinates. */
export function quarterOffset(coords: Float64Array, heatmaps: Heatmaps): void {
  const [n, k, h, w] = heatmaps.shape;
  const { data } = heatmaps;
  for (let m = 0; m < n * k; m++) {
    const px = Math.floor(coords[2 * m]! + 0.5);
    const py = Math.floor(coords[2 * m + 1]! + 0.5);
    if (1 < px && px < w - 1 && 1 < py && py < h - 1) {
      const at = m * h * w + py * w + px;
      coords[2 * m] += Math.sign(data[at + 1]! - data[at - 1]!) * 0.25;
      coords[2 * m + 1] += Math.sign(data[at + w]! - data[at - w]!) * 0.25;
    }
  }
}

/** Heatmap to image coordinates for every instance, in place, through the official affine. */
export function toImage(
  coords: Float64Array,
  heatmaps: Heatmaps,
  centers: Float64Array,
  scales: Float64Array,
) {
  const [n, k, h, w] = heatmaps.shape;
  for (let i = 0; i < n; i++) {
    const t = getAffineTransform(
      [centers[2 * i]!, centers[2 * i + 1]!],
      [scales[2 * i]!, scales[2 * i + 1]!],
      0,
      [w, h],
      [0, 0],
      true,
    );
    for (let j = i * k; j < (i + 1) * k; j++) {
      const x = coords[2 * j]!;
      const y = coords[2 * j + 1]!;
      coords[2 * j] = t[0] * x + t[1] * y + t[2];
      coords[2 * j + 1] = t[3] * x + t[4] * y + t[5];
    }
  }
}

/** Throws unless `coords` holds (N, K, 2) values for `heatmaps`, all finite. */
export function checkCoords(coords: ArrayLike<number>, heatmaps: Heatmaps, what = 'keypoints'): void {
  const [n, k] = heatmaps.shape;
  if (coords.length !== n * k * 2) {
    throw new DecodeError(
      `${what} has ${coords.length / 2} points but heatmaps have ${n} instances x ${k} keypoints`,
    );
  }
  for (let i = 0; i < coords.length; i++) {
    if (!Number.isFinite(coords[i])) {
      const m = Math.floor(i / 2);
      throw new DecodeError(`${what}[${Math.floor(m / k)}][${m % k}] must be finite, got ${coords[i]}`);
    }
  }
}
