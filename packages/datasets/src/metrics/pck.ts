import { MetricsError } from './errors';

/** Keypoints of one instance: `[K][≥2]` (x, y first; further columns are ignored). */
export type JointPositions = readonly ArrayLike<number>[];

/** Predictions and ground truth for {@link pckBbox} and {@link endPointError}. */
export interface KeypointAccuracyInput {
  /** `[N][K]` predicted joints. */
  readonly preds: readonly JointPositions[];
  /** `[N][K]` ground-truth joints, in the same pixel frame. */
  readonly gts: readonly JointPositions[];
  /** `[N][K]` visibility: only joints with a value above 0 count (COCO `v` or MPII `1 - missing`). */
  readonly visible: readonly ArrayLike<number>[];
}

/** The result of {@link pckBbox}. */
export interface PckResult {
  /** Fraction of counted joints within the threshold, in [0, 1]; NaN when none counts. */
  readonly pck: number;
  /** The same per joint index; NaN for joints never visible. */
  readonly perJoint: Float64Array;
  /** Number of counted (visible) joints. */
  readonly count: number;
}

/** The result of {@link endPointError}. */
export interface EpeResult {
  /** Mean Euclidean distance in pixels over the visible joints; NaN when none is visible. */
  readonly epe: number;
  /** Number of visible joints averaged. */
  readonly count: number;
}

function checkShapes(input: KeypointAccuracyInput): number {
  const { preds, gts, visible } = input;
  const k = preds[0]?.length ?? 0;
  const ok =
    gts.length === preds.length &&
    visible.length === preds.length &&
    preds.every((p, n) => p.length === k && gts[n]!.length === k && visible[n]!.length === k);
  if (!ok) throw new MetricsError(`preds, gts and visible must all be [N][K] with the same N and K`);
  return k;
}

function distance(p: ArrayLike<number>, g: ArrayLike<number>): number {
  const dx = p[0]! - g[0]!;
  const dy = p[1]! - g[1]!;
  return Math.sqrt(dx * dx + dy * dy);
}

/**
 * PCK@bbox, for quick training feedback: a visible joint is correct when its distance to the
 * ground truth is at most `threshold × max(w, h)` of the instance's box (`boxes[n] = [x, y, w, h]`).
 * The default threshold is 0.2 (PCK@0.2).
 *
 * @throws MetricsError when the arrays' shapes differ.
 */
export function pckBbox(
  input: KeypointAccuracyInput,
  boxes: readonly ArrayLike<number>[],
  threshold = 0.2,
): PckResult {
  const k = checkShapes(input);
  if (boxes.length !== input.preds.length)
    throw new MetricsError(`boxes must have one [x, y, w, h] per instance`);
  const hits = new Float64Array(k);
  const counts = new Float64Array(k);
  input.preds.forEach((pred, n) => {
    const limit = threshold * Math.max(boxes[n]![2]!, boxes[n]![3]!);
    for (let j = 0; j < k; j++) {
      if (!(input.visible[n]![j]! > 0)) continue;
      counts[j]!++;
      if (distance(pred[j]!, input.gts[n]![j]!) <= limit) hits[j]!++;
    }
  });
  const count = counts.reduce((a, b) => a + b, 0);
  const correct = hits.reduce((a, b) => a + b, 0);
  return { pck: correct / count, perJoint: hits.map((h, j) => h / counts[j]!), count };
}

/**
 * End-point error: the mean Euclidean distance between predicted and ground-truth joints over the
 * visible joints.
 *
 * @throws MetricsError when the arrays' shapes differ.
 */
export function endPointError(input: KeypointAccuracyInput): EpeResult {
  const k = checkShapes(input);
  let sum = 0;
  let count = 0;
  input.preds.forEach((pred, n) => {
    for (let j = 0; j < k; j++) {
      if (!(input.visible[n]![j]! > 0)) continue;
      sum += distance(pred[j]!, input.gts[n]![j]!);
      count++;
    }
  });
  return { epe: sum / count, count };
}
