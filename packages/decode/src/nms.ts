import { DecodeError } from './errors';
import { COCO_KEYPOINTS } from './keypoints';

/** A keypoint with a confidence, as in a {@link Pose}. */
export interface ScoredPoint {
  readonly x: number;
  readonly y: number;
  readonly score: number;
}

/**
 * A candidate pose for OKS-NMS, like an entry of the official `kpts_db`: keypoints as flat
 * `[x0, y0, score0, x1, ...]` triples (COCO results layout) or as `{x, y, score}` objects, the
 * pose score, and its area (the official code uses `scale[0] * scale[1] * 200²`).
 */
export interface OksCandidate {
  readonly keypoints: ArrayLike<number> | readonly ScoredPoint[];
  readonly score: number;
  readonly area: number;
}

/** Options shared by {@link oksIou}, {@link oksNms} and {@link softOksNms}. */
export interface OksOptions {
  /** Per-keypoint sigmas; COCO's by default. */
  readonly sigmas?: readonly number[];
  /**
   * When set, only keypoints whose score in the compared pose `d` exceeds it count. (The official
   * `list(vg > t) and list(vd > t)` evaluates to the second list, so `g`'s scores never matter;
   * this keeps that behaviour.)
   */
  readonly inVisThre?: number;
}

function flatten(keypoints: OksCandidate['keypoints'], what: string): Float64Array {
  const first = keypoints[0];
  let flat: Float64Array;
  if (typeof first === 'object') {
    const points = keypoints as readonly ScoredPoint[];
    flat = new Float64Array(points.length * 3);
    points.forEach((p, i) => {
      flat[3 * i] = p.x;
      flat[3 * i + 1] = p.y;
      flat[3 * i + 2] = p.score;
    });
  } else {
    if (keypoints.length % 3 !== 0) {
      throw new DecodeError(`${what} has ${keypoints.length} values; expected x, y, score triples`);
    }
    flat = Float64Array.from(keypoints as ArrayLike<number>);
  }
  for (let i = 0; i < flat.length; i++) {
    if (!Number.isFinite(flat[i])) throw new DecodeError(`${what}[${i}] must be finite, got ${flat[i]}`);
  }
  return flat;
}

function checkCount(sigmas: readonly number[], k: number, what: string): void {
  if (sigmas.length !== k) {
    throw new DecodeError(`${what} has ${k} keypoints but sigmas has ${sigmas.length}`);
  }
}

function variances(sigmas: readonly number[]): Float64Array {
  return Float64Array.from(sigmas, (s) => (s * 2) ** 2);
}

// np.spacing(1): keeps the OKS finite for zero areas.
const SPACING_1 = 2 ** -52;

function oks(
  g: Float64Array,
  d: Float64Array,
  areaG: number,
  areaD: number,
  vars: Float64Array,
  thre?: number,
) {
  const meanArea = (areaG + areaD) / 2 + SPACING_1;
  let sum = 0;
  let count = 0;
  for (let j = 0; j < vars.length; j++) {
    if (thre !== undefined && !(d[3 * j + 2]! > thre)) continue;
    const dx = d[3 * j]! - g[3 * j]!;
    const dy = d[3 * j + 1]! - g[3 * j + 1]!;
    sum += Math.exp(-((dx * dx + dy * dy) / vars[j]! / meanArea / 2));
    count++;
  }
  return count === 0 ? 0 : sum / count;
}

/**
 * The official `oks_iou(g, d, a_g, a_d, sigmas, in_vis_thre)`: the object keypoint similarity
 * between pose `g` (area `areaG`) and each pose of `d`.
 *
 * @throws DecodeError when keypoint counts differ from the sigmas or values are not finite.
 */
export function oksIou(
  g: OksCandidate['keypoints'],
  d: ReadonlyArray<OksCandidate['keypoints']>,
  areaG: number,
  areasD: readonly number[],
  options: OksOptions = {},
): number[] {
  const sigmas = options.sigmas ?? COCO_KEYPOINTS.sigmas;
  const gf = flatten(g, 'g');
  checkCount(sigmas, gf.length / 3, 'g');
  const vars = variances(sigmas);
  if (areasD.length !== d.length) {
    throw new DecodeError(`d has ${d.length} poses but areasD has ${areasD.length}`);
  }
  return d.map((pose, i) => {
    const df = flatten(pose, `d[${i}]`);
    checkCount(sigmas, df.length / 3, `d[${i}]`);
    return oks(gf, df, areaG, areasD[i]!, vars, options.inVisThre);
  });
}

interface Prepared {
  readonly kpts: Float64Array[];
  readonly scores: Float64Array;
  readonly areas: Float64Array;
  readonly vars: Float64Array;
}

function prepare(poses: readonly OksCandidate[], options: OksOptions): Prepared {
  const sigmas = options.sigmas ?? COCO_KEYPOINTS.sigmas;
  const kpts = poses.map((p, i) => flatten(p.keypoints, `poses[${i}].keypoints`));
  for (const [i, p] of kpts.entries()) checkCount(sigmas, p.length / 3, `poses[${i}]`);
  const scores = Float64Array.from(poses, (p, i) => {
    if (!Number.isFinite(p.score)) throw new DecodeError(`poses[${i}].score must be finite, got ${p.score}`);
    return p.score;
  });
  const areas = Float64Array.from(poses, (p, i) => {
    if (!Number.isFinite(p.area)) throw new DecodeError(`poses[${i}].area must be finite, got ${p.area}`);
    return p.area;
  });
  return { kpts, scores, areas, vars: variances(sigmas) };
}

/**
 * Indices sorted by descending score as numpy's `scores.argsort()[::-1]`: ties (which numpy
 * leaves to its sort) go to the higher index, the reverse of a stable ascending sort.
 */
function descending(indices: number[], scores: ArrayLike<number>): number[] {
  return indices.sort((a, b) => scores[b]! - scores[a]! || b - a);
}

/**
 * The official `oks_nms(kpts_db, thresh, sigmas, in_vis_thre)`: greedily keeps the highest-scoring
 * pose and drops every remaining pose whose OKS with it exceeds `thresh` (0.9 in the official
 * COCO evaluation). Returns the kept indices, best first.
 *
 * @throws DecodeError for keypoint counts that differ from the sigmas or non-finite values.
 */
export function oksNms(poses: readonly OksCandidate[], thresh: number, options: OksOptions = {}): number[] {
  const { kpts, scores, areas, vars } = prepare(poses, options);
  let order = descending(
    poses.map((_, i) => i),
    scores,
  );
  const keep: number[] = [];
  while (order.length > 0) {
    const i = order[0]!;
    keep.push(i);
    order = order
      .slice(1)
      .filter((j) => oks(kpts[i]!, kpts[j]!, areas[i]!, areas[j]!, vars, options.inVisThre) <= thresh);
  }
  return keep;
}

/** The official soft-NMS keeps at most this many poses per image. */
const SOFT_NMS_MAX_DETS = 20;

/**
 * The official `soft_oks_nms(kpts_db, thresh, sigmas, in_vis_thre)`: repeatedly keeps the best
 * pose and decays the others' scores by `exp(-oks² / thresh)` (the official Gaussian `rescore`),
 * up to 20 poses. Returns the kept indices in the order they were kept.
 *
 * @throws DecodeError for keypoint counts that differ from the sigmas or non-finite values.
 */
export function softOksNms(
  poses: readonly OksCandidate[],
  thresh: number,
  options: OksOptions = {},
): number[] {
  const { kpts, scores, areas, vars } = prepare(poses, options);
  const current = Float64Array.from(scores);
  let order = descending(
    poses.map((_, i) => i),
    current,
  );
  const keep: number[] = [];
  while (order.length > 0 && keep.length < SOFT_NMS_MAX_DETS) {
    const i = order[0]!;
    order = order.slice(1);
    for (const j of order) {
      const o = oks(kpts[i]!, kpts[j]!, areas[i]!, areas[j]!, vars, options.inVisThre);
      current[j] = current[j]! * Math.exp(-(o * o) / thresh);
    }
    order = descending(order, current);
    keep.push(i);
  }
  return keep;
}

/**
 * The official COCO rescoring before OKS-NMS: `boxScore` times the mean of the keypoint scores
 * above `inVisThre` (0.2), or 0 when none is.
 */
export function rescorePose(keypointScores: ArrayLike<number>, boxScore = 1, inVisThre = 0.2): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < keypointScores.length; i++) {
    const s = keypointScores[i]!;
    if (s > inVisThre) {
      sum += s;
      count++;
    }
  }
  return count === 0 ? 0 : (sum / count) * boxScore;
}
