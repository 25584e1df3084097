import { MetricsError } from './errors';
import { pairwiseSum } from './numeric';

/**
 * MPII ground truth in the layout of the official `gt_valid.mat` (MATLAB, 1-based pixels).
 * `N` is the number of evaluated persons; joints follow `datasetJoints`.
 */
export interface MpiiPckhGroundTruth {
  /** The 16 joint names (`rank`, `rkne`, ..., `lwri`); pelvis and thorax must sit at indices 6 and 7. */
  readonly datasetJoints: readonly string[];
  /** `pos_gt_src[joint][x|y][person]`, 1-based. */
  readonly posGtSrc: readonly (readonly (readonly number[])[])[];
  /** `headboxes_src[corner][x|y][person]`: the head box's two corners. */
  readonly headboxesSrc: readonly (readonly (readonly number[])[])[];
  /** `jnt_missing[joint][person]`: 1 where the joint is not annotated. */
  readonly jntMissing: readonly (readonly number[])[];
}

/** Row names of the official MPII table. */
export type MpiiPckhName =
  | 'Head'
  | 'Shoulder'
  | 'Elbow'
  | 'Wrist'
  | 'Hip'
  | 'Knee'
  | 'Ankle'
  | 'Mean'
  | 'Mean@0.1';

/** The result of {@link evaluateMpiiPckh}. */
export interface MpiiPckhResult {
  /** The official `name_value` table, in order: Head ... Ankle, Mean, Mean@0.1 (percentages). */
  readonly nameValue: readonly (readonly [MpiiPckhName, number])[];
  /** PCKh@0.5 averaged over joints weighted by visible counts, pelvis and thorax excluded (`name_value['Mean']`). */
  readonly mean: number;
  /** PCKh at the threshold for each joint, in `datasetJoints` order (pelvis and thorax included). */
  readonly pckh: Float64Array;
  /** The official `rng`: thresholds 0, 0.01, ..., 0.5 (`np.arange(0, 0.5 + 0.01, 0.01)`). */
  readonly thresholds: Float64Array;
  /** The official `pckAll[r][joint]`: PCKh at each of {@link MpiiPckhResult.thresholds}. */
  readonly pckAll: readonly Float64Array[];
}

/** Options of {@link evaluateMpiiPckh}. */
export interface MpiiPckhOptions {
  /** Head-size fraction for a correct joint (0.5, PCKh@0.5). */
  readonly threshold?: number;
}

/** The official `SC_BIAS`: the head size is 0.6 × the head box diagonal. */
const SC_BIAS = 0.6;

/** `np.arange(start, stop, step)` for floats: `start + i * (start + step - start)`. */
function arange(start: number, stop: number, step: number): Float64Array {
  const n = Math.ceil((stop - start) / step);
  const delta = start + step - start;
  return Float64Array.from({ length: n }, (_, i) => (i === 0 ? start : start + i * delta));
}

/**
 * MPII PCKh, the official HRNet `lib/dataset/mpii.py` `evaluate()`: a joint is correct when its
 * distance to the ground truth is at most `threshold` × 0.6 × the head box diagonal; per-joint
 * rates over the annotated joints (`jnt_visible = 1 - jnt_missing`), left/right pairs averaged,
 * and Mean / Mean@0.1 weighted by the visible counts with pelvis and thorax masked out. Mean@0.1
 * is read from the official `pckAll` table at row 11, as the official code does.
 *
 * @param preds `[N][16][≥2]` predicted joints in 0-based pixels (the official `preds`; extra
 *   columns such as scores are ignored).
 * @throws MetricsError when the array sizes or joint names do not match.
 */
export function evaluateMpiiPckh(
  preds: readonly (readonly ArrayLike<number>[])[],
  gt: MpiiPckhGroundTruth,
  options: MpiiPckhOptions = {},
): MpiiPckhResult {
  const threshold = options.threshold ?? 0.5;
  const J = gt.datasetJoints.length;
  const N = preds.length;
  const joint = (name: string) => {
    const i = gt.datasetJoints.indexOf(name);
    if (i < 0) throw new MetricsError(`datasetJoints has no '${name}'`);
    return i;
  };
  const sizeOk =
    gt.posGtSrc.length === J &&
    gt.jntMissing.length === J &&
    gt.headboxesSrc.length === 2 &&
    gt.posGtSrc.every((p) => p.length === 2 && p[0]!.length === N && p[1]!.length === N) &&
    gt.headboxesSrc.every((h) => h.length === 2 && h[0]!.length === N && h[1]!.length === N) &&
    gt.jntMissing.every((m) => m.length === N) &&
    preds.every((p) => p.length === J && p.every((xy) => xy.length >= 2));
  if (!sizeOk) {
    throw new MetricsError(
      `MPII PCKh expects preds [${N}][${J}][2], posGtSrc [${J}][2][${N}], headboxesSrc [2][2][${N}], jntMissing [${J}][${N}]`,
    );
  }
  const headsizes = Float64Array.from({ length: N }, (_, n) => {
    const dx = gt.headboxesSrc[1]![0]![n]! - gt.headboxesSrc[0]![0]![n]!;
    const dy = gt.headboxesSrc[1]![1]![n]! - gt.headboxesSrc[0]![1]![n]!;
    return Math.sqrt(dx * dx + dy * dy) * SC_BIAS;
  });
  // scaled_uv_err[j][n] (times jnt_visible) and jnt_visible[j][n]
  const scaled: Float64Array[] = [];
  const visible: Float64Array[] = [];
  for (let j = 0; j < J; j++) {
    const v = Float64Array.from(gt.jntMissing[j]!, (m) => 1 - m);
    visible.push(v);
    scaled.push(
      Float64Array.from({ length: N }, (_, n) => {
        const dx = preds[n]![j]![0]! + 1 - gt.posGtSrc[j]![0]![n]!;
        const dy = preds[n]![j]![1]! + 1 - gt.posGtSrc[j]![1]![n]!;
        return (Math.sqrt(dx * dx + dy * dy) / headsizes[n]!) * v[n]!;
      }),
    );
  }
  const jntCount = Float64Array.from(visible, (v) => pairwiseSum(v));
  const pckAt = (thr: number) =>
    Float64Array.from({ length: J }, (_, j) => {
      const less = Float64Array.from(scaled[j]!, (e, n) => (e <= thr ? 1 : 0) * visible[j]![n]!);
      return (100 * pairwiseSum(less)) / jntCount[j]!;
    });
  const pckh = pckAt(threshold);
  const thresholds = arange(0, 0.5 + 0.01, 0.01);
  const pckAll = Array.from(thresholds, (thr) => pckAt(thr));

  // np.ma: pelvis and thorax (indices 6 and 7) masked, i.e. filled with 0 in the sums
  const masked = (values: ArrayLike<number>) =>
    Float64Array.from(values, (x, j) => (j === 6 || j === 7 ? 0 : x));
  const countSum = pairwiseSum(masked(jntCount));
  const jntRatio = Float64Array.from(jntCount, (c) => c / countSum);
  const weighted = (values: Float64Array) => pairwiseSum(masked(values.map((x, j) => x * jntRatio[j]!)));
  const pair = (left: string, right: string) => 0.5 * (pckh[joint(left)]! + pckh[joint(right)]!);
  const mean = weighted(pckh);
  const nameValue: [MpiiPckhName, number][] = [
    ['Head', pckh[joint('head')]!],
    ['Shoulder', pair('lsho', 'rsho')],
    ['Elbow', pair('lelb', 'relb')],
    ['Wrist', pair('lwri', 'rwri')],
    ['Hip', pair('lhip', 'rhip')],
    ['Knee', pair('lkne', 'rkne')],
    ['Ankle', pair('lank', 'rank')],
    ['Mean', mean],
    ['Mean@0.1', weighted(pckAll[11]!)],
  ];
  return { nameValue, mean, pckh, thresholds, pckAll };
}
