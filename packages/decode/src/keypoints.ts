import { DecodeError } from './errors';
import type { FlipPairs } from './flip';

/** An RGB colour, 0-255 per channel. */
export type Rgb = readonly [r: number, g: number, b: number];

/** A skeleton edge between two keypoint indices, with its drawing colour. */
export interface SkeletonEdge {
  readonly from: number;
  readonly to: number;
  readonly color: Rgb;
}

/** Everything the decoder and its users need to know about a keypoint layout. */
export interface KeypointSet {
  /** Short identifier used in error messages, e.g. "coco". */
  readonly name: string;
  /** Keypoint names in heatmap channel order. */
  readonly keypoints: readonly string[];
  /** Left/right pairs swapped by a horizontal flip. */
  readonly flipPairs: FlipPairs;
  /** Edges to draw. */
  readonly skeleton: readonly SkeletonEdge[];
  /** Per-keypoint OKS sigmas (COCO's "kappa" / 10 values), one per keypoint. */
  readonly sigmas: readonly number[];
  /** Indices of upper-body keypoints (the official half-body augmentation split). */
  readonly upperBody: readonly number[];
  /** Indices of lower-body keypoints. */
  readonly lowerBody: readonly number[];
}

/** The fields of a {@link KeypointSet}; skeleton edges may name keypoints instead of indices. */
export interface KeypointSetSpec {
  readonly name: string;
  readonly keypoints: readonly string[];
  readonly flipPairs?: ReadonlyArray<readonly [number | string, number | string]>;
  readonly skeleton?: ReadonlyArray<{
    readonly from: number | string;
    readonly to: number | string;
    readonly color?: Rgb;
  }>;
  /** Defaults to 0.025 for every keypoint when absent (only OKS needs sigmas). */
  readonly sigmas?: readonly number[];
  readonly upperBody?: ReadonlyArray<number | string>;
  readonly lowerBody?: ReadonlyArray<number | string>;
}

const BLUE: Rgb = [51, 153, 255];
const LEFT: Rgb = [0, 255, 0];
const RIGHT: Rgb = [255, 128, 0];

/**
 * Validates a keypoint layout and resolves names to indices, returning a frozen
 * {@link KeypointSet}.
 *
 * @throws DecodeError for duplicate names, unknown names or indices out of range, a keypoint in
 *   two flip pairs, or a sigma count that differs from the keypoint count.
 */
export function defineKeypointSet(spec: KeypointSetSpec): KeypointSet {
  const { name, keypoints } = spec;
  if (keypoints.length === 0) throw new DecodeError(`keypoint set ${name} has no keypoints`);
  if (new Set(keypoints).size !== keypoints.length) {
    throw new DecodeError(`keypoint set ${name} has duplicate keypoint names`);
  }
  const index = (ref: number | string, what: string): number => {
    const i = typeof ref === 'string' ? keypoints.indexOf(ref) : ref;
    if (!Number.isInteger(i) || i < 0 || i >= keypoints.length) {
      throw new DecodeError(`keypoint set ${name}: ${what} refers to unknown keypoint ${ref}`);
    }
    return i;
  };
  const flipPairs = (spec.flipPairs ?? []).map(([a, b]) =>
    Object.freeze([index(a, 'flip pair'), index(b, 'flip pair')] as const),
  );
  const paired = flipPairs.flat();
  if (new Set(paired).size !== paired.length) {
    throw new DecodeError(`keypoint set ${name}: a keypoint appears in more than one flip pair`);
  }
  const skeleton = (spec.skeleton ?? []).map((edge) =>
    Object.freeze({
      from: index(edge.from, 'skeleton edge'),
      to: index(edge.to, 'skeleton edge'),
      color: edge.color ?? BLUE,
    }),
  );
  const sigmas = spec.sigmas ?? keypoints.map(() => 0.025);
  if (sigmas.length !== keypoints.length) {
    throw new DecodeError(
      `keypoint set ${name} has ${keypoints.length} keypoints but ${sigmas.length} sigmas`,
    );
  }
  if (!sigmas.every((s) => Number.isFinite(s) && s > 0)) {
    throw new DecodeError(`keypoint set ${name}: sigmas must be positive`);
  }
  return Object.freeze({
    name,
    keypoints: Object.freeze([...keypoints]),
    flipPairs: Object.freeze(flipPairs),
    skeleton: Object.freeze(skeleton),
    sigmas: Object.freeze([...sigmas]),
    upperBody: Object.freeze((spec.upperBody ?? []).map((r) => index(r, 'upperBody'))),
    lowerBody: Object.freeze((spec.lowerBody ?? []).map((r) => index(r, 'lowerBody'))),
  });
}

/** COCO-17 person keypoints, as in the official `COCODataset` and MMPose's `coco.py`. */
export const COCO_KEYPOINTS: KeypointSet = defineKeypointSet({
  name: 'coco',
  keypoints: [
    'nose',
    'left_eye',
    'right_eye',
    'left_ear',
    'right_ear',
    'left_shoulder',
    'right_shoulder',
    'left_elbow',
    'right_elbow',
    'left_wrist',
    'right_wrist',
    'left_hip',
    'right_hip',
    'left_knee',
    'right_knee',
    'left_ankle',
    'right_ankle',
  ],
  flipPairs: [
    [1, 2],
    [3, 4],
    [5, 6],
    [7, 8],
    [9, 10],
    [11, 12],
    [13, 14],
    [15, 16],
  ],
  skeleton: [
    { from: 'left_ankle', to: 'left_knee', color: LEFT },
    { from: 'left_knee', to: 'left_hip', color: LEFT },
    { from: 'right_ankle', to: 'right_knee', color: RIGHT },
    { from: 'right_knee', to: 'right_hip', color: RIGHT },
    { from: 'left_hip', to: 'right_hip', color: BLUE },
    { from: 'left_shoulder', to: 'left_hip', color: LEFT },
    { from: 'right_shoulder', to: 'right_hip', color: RIGHT },
    { from: 'left_shoulder', to: 'right_shoulder', color: BLUE },
    { from: 'left_shoulder', to: 'left_elbow', color: LEFT },
    { from: 'right_shoulder', to: 'right_elbow', color: RIGHT },
    { from: 'left_elbow', to: 'left_wrist', color: LEFT },
    { from: 'right_elbow', to: 'right_wrist', color: RIGHT },
    { from: 'left_eye', to: 'right_eye', color: BLUE },
    { from: 'nose', to: 'left_eye', color: BLUE },
    { from: 'nose', to: 'right_eye', color: BLUE },
    { from: 'left_eye', to: 'left_ear', color: BLUE },
    { from: 'right_eye', to: 'right_ear', color: BLUE },
    { from: 'left_ear', to: 'left_shoulder', color: BLUE },
    { from: 'right_ear', to: 'right_shoulder', color: BLUE },
  ],
  sigmas: [
    0.026, 0.025, 0.025, 0.035, 0.035, 0.079, 0.079, 0.072, 0.072, 0.062, 0.062, 0.107, 0.107, 0.087, 0.087,
    0.089, 0.089,
  ],
  upperBody: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  lowerBody: [11, 12, 13, 14, 15, 16],
});

/** MPII-16 joints in the official `MPIIDataset` order, with MMPose's skeleton and sigmas. */
export const MPII_KEYPOINTS: KeypointSet = defineKeypointSet({
  name: 'mpii',
  keypoints: [
    'right_ankle',
    'right_knee',
    'right_hip',
    'left_hip',
    'left_knee',
    'left_ankle',
    'pelvis',
    'thorax',
    'upper_neck',
    'head_top',
    'right_wrist',
    'right_elbow',
    'right_shoulder',
    'left_shoulder',
    'left_elbow',
    'left_wrist',
  ],
  flipPairs: [
    [0, 5],
    [1, 4],
    [2, 3],
    [10, 15],
    [11, 14],
    [12, 13],
  ],
  skeleton: [
    { from: 'right_ankle', to: 'right_knee', color: RIGHT },
    { from: 'right_knee', to: 'right_hip', color: RIGHT },
    { from: 'right_hip', to: 'pelvis', color: RIGHT },
    { from: 'pelvis', to: 'left_hip', color: LEFT },
    { from: 'left_hip', to: 'left_knee', color: LEFT },
    { from: 'left_knee', to: 'left_ankle', color: LEFT },
    { from: 'pelvis', to: 'thorax', color: BLUE },
    { from: 'thorax', to: 'upper_neck', color: BLUE },
    { from: 'upper_neck', to: 'head_top', color: BLUE },
    { from: 'upper_neck', to: 'right_shoulder', color: RIGHT },
    { from: 'right_shoulder', to: 'right_elbow', color: RIGHT },
    { from: 'right_elbow', to: 'right_wrist', color: RIGHT },
    { from: 'upper_neck', to: 'left_shoulder', color: LEFT },
    { from: 'left_shoulder', to: 'left_elbow', color: LEFT },
    { from: 'left_elbow', to: 'left_wrist', color: LEFT },
  ],
  sigmas: [
    0.089, 0.083, 0.107, 0.107, 0.083, 0.089, 0.026, 0.026, 0.026, 0.026, 0.062, 0.072, 0.179, 0.179, 0.072,
    0.062,
  ],
  upperBody: [7, 8, 9, 10, 11, 12, 13, 14, 15],
  lowerBody: [0, 1, 2, 3, 4, 5, 6],
});
