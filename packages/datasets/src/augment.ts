import type { FlipPairs, Vec2 } from '@hrnet/decode';
import { halfBodyTransform } from './half-body';
import type { JointsRecord } from './record';
import type { Rng } from './rng';

/** Training augmentation settings; the defaults are the official COCO/MPII configs. */
export interface AugmentOptions {
  /** `DATASET.SCALE_FACTOR`: scale multiplier `clip(randn() * sf + 1, 1 - sf, 1 + sf)`. Default 0.35 (MPII: 0.25). */
  readonly scaleFactor?: number;
  /** `DATASET.ROT_FACTOR` in degrees: `clip(randn() * rf, -2rf, 2rf)`. Default 45 (MPII: 30). */
  readonly rotationFactor?: number;
  /** Probability of rotating at all (`random() <= 0.6`). Default 0.6. */
  readonly rotationProb?: number;
  /** `DATASET.FLIP`: horizontal flip with probability 0.5. Default true. */
  readonly flip?: boolean;
  /** `DATASET.NUM_JOINTS_HALF_BODY`: half-body needs more than this many visible joints. Default 8. */
  readonly halfBodyJoints?: number;
  /** `DATASET.PROB_HALF_BODY`. Default 0.3 (MPII: -1.0, i.e. never). */
  readonly halfBodyProb?: number;
}

/** The drawn augmentation of one sample. */
export interface Augmentation {
  /** Box center after half-body and flip. */
  readonly center: [number, number];
  /** Box scale after half-body and the random scale. */
  readonly scale: [number, number];
  /** Rotation in degrees. */
  readonly rotation: number;
  /** Whether the image and joints are mirrored horizontally. */
  readonly flip: boolean;
}

/** What {@link sampleAugmentation} needs from the keypoint layout. */
export interface AugmentLayout {
  readonly flipPairs: FlipPairs;
  readonly upperBody: readonly number[];
}

/**
 * Draws the augmentation of the official `JointsDataset.__getitem__` (training), in its order:
 * half-body (`sum(vis) > halfBodyJoints and rand() < halfBodyProb`), scale, rotation, flip
 * (`c[0] = width - c[0] - 1`). The joints are flipped by {@link fliplrJoints} separately.
 */
export function sampleAugmentation(
  record: JointsRecord,
  imageWidth: number,
  layout: AugmentLayout,
  aspectRatio: number,
  options: AugmentOptions,
  rng: Rng,
): Augmentation {
  const {
    scaleFactor: sf = 0.35,
    rotationFactor: rf = 45,
    rotationProb = 0.6,
    flip = true,
    halfBodyJoints = 8,
    halfBodyProb = 0.3,
  } = options;
  let center: [number, number] = [record.center[0], record.center[1]];
  let scale: [number, number] = [record.scale[0], record.scale[1]];
  let visible = 0;
  for (let k = 0; k < record.jointsVis.length; k++) visible += record.jointsVis[k] as number;
  if (visible > halfBodyJoints && rng.random() < halfBodyProb) {
    const half = halfBodyTransform(record.joints, record.jointsVis, layout.upperBody, aspectRatio, rng);
    if (half) ({ center, scale } = half);
  }
  const s = clip(rng.randn() * sf + 1, 1 - sf, 1 + sf);
  scale = [scale[0] * s, scale[1] * s];
  const rotation = rng.random() <= rotationProb ? clip(rng.randn() * rf, -rf * 2, rf * 2) : 0;
  const flipped = flip && rng.random() <= 0.5;
  if (flipped) center = [imageWidth - center[0] - 1, center[1]];
  return { center, scale, rotation, flip: flipped };
}

/**
 * The official `fliplr_joints`: `x = width - x - 1`, left/right pairs swapped (coordinates and
 * visibilities), and joints multiplied by their visibility (unlabelled joints become (0, 0)).
 */
export function fliplrJoints(
  joints: ArrayLike<number>,
  jointsVis: ArrayLike<number>,
  width: number,
  flipPairs: FlipPairs,
): { joints: Float64Array; jointsVis: Float64Array } {
  const outJoints = Float64Array.from(joints);
  const outVis = Float64Array.from(jointsVis);
  for (let k = 0; k < outVis.length; k++) outJoints[2 * k] = width - (outJoints[2 * k] as number) - 1;
  for (const [a, b] of flipPairs) {
    swap(outJoints, 2 * a, 2 * b);
    swap(outJoints, 2 * a + 1, 2 * b + 1);
    swap(outVis, a, b);
  }
  for (let k = 0; k < outVis.length; k++) {
    outJoints[2 * k] = (outJoints[2 * k] as number) * (outVis[k] as number);
    outJoints[2 * k + 1] = (outJoints[2 * k + 1] as number) * (outVis[k] as number);
  }
  return { joints: outJoints, jointsVis: outVis };
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i] as number;
  a[i] = a[j] as number;
  a[j] = t;
}

function clip(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** The un-augmented view of a record (evaluation): its own center/scale, no rotation or flip. */
export function identityAugmentation(record: JointsRecord): Augmentation {
  const c: Vec2 = record.center;
  return { center: [c[0], c[1]], scale: [record.scale[0], record.scale[1]], rotation: 0, flip: false };
}
