import { type BoxXywh, boxToCenterScale, PIXEL_STD } from './affine';
import { DecodeError } from './errors';
import { mergeFlipped } from './flip';
import { checkHeatmaps, type Heatmaps } from './heatmaps';
import { getMaxPreds, quarterOffset, toImage } from './inference';
import { COCO_KEYPOINTS, type KeypointSet } from './keypoints';
import { rescorePose } from './nms';
import { type PointList, readPoints } from './points';
import { refineDark, refineDarkUdp } from './refine';

/** A decoded keypoint in image pixels, in the pose-detection (`@tensorflow-models/pose-detection`) convention. */
export interface Keypoint {
  readonly x: number;
  readonly y: number;
  /** The heatmap maximum (the official keypoint score). */
  readonly score: number;
  readonly name: string;
}

/** An axis-aligned box in image pixels, in the pose-detection convention. */
export interface BoundingBox {
  readonly xMin: number;
  readonly yMin: number;
  readonly xMax: number;
  readonly yMax: number;
  readonly width: number;
  readonly height: number;
}

/** One decoded person, in the pose-detection convention. */
export interface Pose {
  readonly keypoints: Keypoint[];
  /** The official rescoring: box score x mean of the keypoint scores above `inVisThre`. */
  readonly score: number;
  /** The detection box when `boxes` were given, else the center/scale region (scale * 200 pixels). */
  readonly box: BoundingBox;
}

/**
 * How heatmaps become coordinates:
 * - `argmax`: the official `get_max_preds` pixel, no refinement;
 * - `official`: `get_final_preds` with POST_PROCESS (quarter-pixel offset);
 * - `dark`: MMPose's DARK refinement (`refine_keypoints_dark`);
 * - `udp`: MMPose's DARK-UDP refinement and UDP's `(size - 1)` mapping back to the image, for
 *   models trained with UDP.
 */
export type DecodeMethod = 'argmax' | 'official' | 'dark' | 'udp';

/** Options of {@link decodeHeatmaps}. */
export interface DecodeOptions {
  /** Box centers in image pixels, one per instance. Required unless `boxes` is given. */
  readonly centers?: PointList;
  /** Box scales in units of 200 pixels, one per instance. Required unless `boxes` is given. */
  readonly scales?: PointList;
  /**
   * Detection boxes `[x, y, w, h]`, one per instance. Without centers/scales they are turned into
   * center/scale with {@link boxToCenterScale} (aspect ratio of the heatmaps, padding 1.25).
   */
  readonly boxes?: readonly BoxXywh[];
  /** Detection scores, one per instance; 1 when absent (the official ground-truth-box setting). */
  readonly boxScores?: ArrayLike<number>;
  /** Default `official`. */
  readonly method?: DecodeMethod;
  /** Keypoint layout; default COCO-17. Its size must equal K. */
  readonly keypoints?: KeypointSet;
  /** Model output for the horizontally flipped inputs: enables the official flip test. */
  readonly flipped?: Heatmaps;
  /** The official SHIFT_HEATMAP in the flip test. Default true. */
  readonly shiftHeatmap?: boolean;
  /** Gaussian kernel for `dark` and `udp`: 11 for sigma 2 heatmaps, 17 for sigma 3. Default 11. */
  readonly blurKernelSize?: number;
  /** Keypoint score threshold of the rescoring. Default 0.2. */
  readonly inVisThre?: number;
  /** Width / height used to turn `boxes` into scales. Default W / H of the heatmaps. */
  readonly aspectRatio?: number;
  /** Box padding used to turn `boxes` into scales. Default 1.25. */
  readonly padding?: number;
}

/**
 * Decodes a heatmap batch (N, K, H, W) into N poses in image coordinates: optional flip-test
 * merge, argmax, refinement by `method`, the inverse affine of each center/scale, and the official
 * rescoring. Pure JavaScript, no dependencies: feed it tfjs `dataSync()` output or an ONNX Runtime
 * tensor's `data`.
 *
 * @throws DecodeError when counts disagree ("heatmaps have 8 instances but centers has 7"), K
 *   differs from the keypoint set, or an input holds NaN/Infinity (rejected, never masked).
 */
export function decodeHeatmaps(heatmaps: Heatmaps, options: DecodeOptions): Pose[] {
  checkHeatmaps(heatmaps);
  const [n, k, h, w] = heatmaps.shape;
  const set = options.keypoints ?? COCO_KEYPOINTS;
  if (set.keypoints.length !== k) {
    throw new DecodeError(
      `heatmaps have ${k} keypoints but the keypoint set ${set.name} has ${set.keypoints.length}`,
    );
  }
  const owner = `heatmaps have ${n} instances`;
  const { boxes } = options;
  if (boxes && boxes.length !== n) throw new DecodeError(`${owner} but boxes has ${boxes.length}`);
  let centers: Float64Array;
  let scales: Float64Array;
  if (options.centers !== undefined && options.scales !== undefined) {
    centers = readPoints(options.centers, 'centers', n, owner);
    scales = readPoints(options.scales, 'scales', n, owner);
  } else if (boxes) {
    centers = new Float64Array(2 * n);
    scales = new Float64Array(2 * n);
    const boxOptions = { aspectRatio: options.aspectRatio ?? w / h, padding: options.padding ?? 1.25 };
    boxes.forEach((box, i) => {
      const cs = boxToCenterScale(box, boxOptions);
      centers.set(cs.center, 2 * i);
      scales.set(cs.scale, 2 * i);
    });
  } else {
    throw new DecodeError('decodeHeatmaps needs centers and scales, or boxes');
  }
  const boxScores = options.boxScores;
  if (boxScores) {
    if (boxScores.length !== n) throw new DecodeError(`${owner} but boxScores has ${boxScores.length}`);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(boxScores[i]))
        throw new DecodeError(`boxScores[${i}] must be finite, got ${boxScores[i]}`);
    }
  }

  const merged = options.flipped
    ? mergeFlipped(heatmaps, options.flipped, set.flipPairs, { shiftHeatmap: options.shiftHeatmap ?? true })
    : heatmaps;
  const { coords, maxvals } = getMaxPreds(merged);
  const method = options.method ?? 'official';
  const kernel = options.blurKernelSize ?? 11;
  if (method === 'official') quarterOffset(coords, merged);
  else if (method === 'dark') refineDark(coords, merged, maxvals, kernel);
  else if (method === 'udp') refineDarkUdp(coords, merged, maxvals, kernel);
  else if (method !== 'argmax') throw new DecodeError(`unknown decode method ${String(method)}`);

  if (method === 'udp') {
    // MMPose's transform_preds(use_udp=True): heatmap pixels 0 and size - 1 are the box edges.
    for (let i = 0; i < n; i++) {
      const bw = scales[2 * i]! * PIXEL_STD;
      const bh = scales[2 * i + 1]! * PIXEL_STD;
      const sx = bw / (w - 1);
      const sy = bh / (h - 1);
      for (let j = i * k; j < (i + 1) * k; j++) {
        coords[2 * j] = coords[2 * j]! * sx + centers[2 * i]! - bw * 0.5;
        coords[2 * j + 1] = coords[2 * j + 1]! * sy + centers[2 * i + 1]! - bh * 0.5;
      }
    }
  } else {
    toImage(coords, merged, centers, scales);
  }

  const poses: Pose[] = [];
  for (let i = 0; i < n; i++) {
    const keypoints: Keypoint[] = [];
    for (let j = 0; j < k; j++) {
      const m = i * k + j;
      keypoints.push({
        x: coords[2 * m]!,
        y: coords[2 * m + 1]!,
        score: maxvals[m]!,
        name: set.keypoints[j]!,
      });
    }
    const scores = maxvals.subarray(i * k, (i + 1) * k);
    const box = boxes?.[i];
    poses.push({
      keypoints,
      score: rescorePose(scores, boxScores?.[i] ?? 1, options.inVisThre ?? 0.2),
      box: box
        ? makeBox(box[0], box[1], box[2], box[3])
        : makeBox(
            centers[2 * i]! - scales[2 * i]! * PIXEL_STD * 0.5,
            centers[2 * i + 1]! - scales[2 * i + 1]! * PIXEL_STD * 0.5,
            scales[2 * i]! * PIXEL_STD,
            scales[2 * i + 1]! * PIXEL_STD,
          ),
    });
  }
  return poses;
}

function makeBox(x: number, y: number, width: number, height: number): BoundingBox {
  return { xMin: x, yMin: y, xMax: x + width, yMax: y + height, width, height };
}
