import {
  type AffineMatrix,
  affineTransform,
  COCO_KEYPOINTS,
  getAffineTransform,
  getUdpWarpMatrix,
  type KeypointSet,
  PIXEL_STD,
  type Vec2,
} from '@hrnet/decode';
import { type AugmentOptions, fliplrJoints, identityAugmentation, sampleAugmentation } from './augment';
import { warpAffine } from './crop';
import type { RgbImage } from './image';
import { normalizeImage } from './normalize';
import type { JointsRecord } from './record';
import type { Rng } from './rng';
import { generateTarget, type TargetLayout } from './target';

/** Settings of the top-down sample pipeline; every field has the official COCO 256x192 default. */
export interface TopDownConfig {
  /** Network input (width, height). Default [192, 256]. */
  readonly imageSize?: Vec2;
  /** Heatmap (width, height). Default imageSize / 4. */
  readonly heatmapSize?: Vec2;
  /** Target Gaussian sigma. Default 2. */
  readonly sigma?: number;
  /** Keypoint layout: flip pairs and upper-body ids. Default {@link COCO_KEYPOINTS}. */
  readonly keypoints?: Pick<KeypointSet, 'flipPairs' | 'upperBody'>;
  /** Training mode draws augmentations (half-body, scale, rotation, flip). Default false. */
  readonly train?: boolean;
  /** Augmentation settings (training only). */
  readonly augment?: AugmentOptions;
  /**
   * `msra`: the official `get_affine_transform` crop and `generate_target`. `udp`: MMPose's
   * `get_warp_matrix` crop and `_udp_generate_target` (UDP paper). Default `msra`.
   */
  readonly encoding?: 'msra' | 'udp';
  /** Target layout. Default `NCHW` (official); `NHWC` matches the network output. */
  readonly targetLayout?: TargetLayout;
  /** Per-joint loss weights folded into the target weights (official `joints_weight`). */
  readonly jointsWeight?: readonly number[];
}

/** {@link TopDownConfig} with its defaults filled in. */
export interface ResolvedTopDownConfig {
  readonly imageSize: Vec2;
  readonly heatmapSize: Vec2;
  readonly sigma: number;
  readonly keypoints: Pick<KeypointSet, 'flipPairs' | 'upperBody'>;
  readonly train: boolean;
  readonly augment: AugmentOptions;
  readonly encoding: 'msra' | 'udp';
  readonly targetLayout: TargetLayout;
  readonly jointsWeight: readonly number[] | undefined;
}

/** Fills in the defaults of a {@link TopDownConfig}. */
export function resolveTopDownConfig(config: TopDownConfig = {}): ResolvedTopDownConfig {
  const imageSize = config.imageSize ?? [192, 256];
  const keypoints = config.keypoints ?? COCO_KEYPOINTS;
  return {
    imageSize,
    heatmapSize: config.heatmapSize ?? [imageSize[0] / 4, imageSize[1] / 4],
    sigma: config.sigma ?? 2,
    keypoints: { flipPairs: keypoints.flipPairs, upperBody: keypoints.upperBody },
    train: config.train ?? false,
    augment: config.augment ?? {},
    encoding: config.encoding ?? 'msra',
    targetLayout: config.targetLayout ?? 'NCHW',
    jointsWeight: config.jointsWeight,
  };
}

/** What the pipeline did to one sample (the official `meta`). */
export interface SampleMeta {
  /** Image path or URL. */
  readonly image: string;
  readonly imageId: number;
  /** Center used for the crop (after augmentation). */
  readonly center: [number, number];
  /** Scale used for the crop (after augmentation). */
  readonly scale: [number, number];
  /** Rotation in degrees. */
  readonly rotation: number;
  /** Whether the sample was mirrored. */
  readonly flipped: boolean;
  /** Detection score (1 for ground truth). */
  readonly score: number;
  /** Joints in network-input pixels, flat `[x, y]` per joint (visible joints transformed only, as the official). */
  readonly joints: Float64Array;
  /** Joint visibilities after the flip swap. */
  readonly jointsVis: Float64Array;
}

/** One pipeline output. */
export interface TopDownSample {
  /** ImageNet-normalized crop, `[H, W, 3]` float32 (NHWC without N). */
  readonly image: Float32Array;
  /** Heatmap targets, `[K, h, w]` (NCHW) or `[h, w, K]` (NHWC). */
  readonly target: Float32Array;
  /** `[K]` target weights. */
  readonly targetWeight: Float32Array;
  readonly meta: SampleMeta;
}

/** The image -> network-input matrix of a crop, by encoding. */
export function cropMatrix(
  center: Vec2,
  scale: Vec2,
  rotation: number,
  imageSize: Vec2,
  encoding: 'msra' | 'udp',
): AffineMatrix {
  return encoding === 'udp'
    ? getUdpWarpMatrix(center, [scale[0] * PIXEL_STD, scale[1] * PIXEL_STD], rotation, imageSize)
    : getAffineTransform(center, scale, rotation, imageSize);
}

/**
 * The official `JointsDataset.__getitem__` on a decoded image: (training) augmentation drawn from
 * `rng`, affine crop with OpenCV-exact bilinear sampling, joints through the same matrix, ImageNet
 * normalization and heatmap targets. Without `rng` (or with `train` false) the record's own box is
 * used.
 */
export function topDownSample(
  record: JointsRecord,
  image: RgbImage,
  config: ResolvedTopDownConfig,
  rng?: Rng,
): TopDownSample {
  const { imageSize, keypoints, encoding } = config;
  const aug =
    config.train && rng
      ? sampleAugmentation(record, image.width, keypoints, imageSize[0] / imageSize[1], config.augment, rng)
      : identityAugmentation(record);
  let { joints, jointsVis } = record;
  if (aug.flip) ({ joints, jointsVis } = fliplrJoints(joints, jointsVis, image.width, keypoints.flipPairs));
  const trans = cropMatrix(aug.center, aug.scale, aug.rotation, imageSize, encoding);
  const crop = warpAffine(image, trans, imageSize[0], imageSize[1], { flip: aug.flip });
  const input = normalizeImage(crop);

  const cropJoints = Float64Array.from(joints);
  for (let k = 0; k < jointsVis.length; k++) {
    if ((jointsVis[k] as number) > 0) {
      const [x, y] = affineTransform([cropJoints[2 * k] as number, cropJoints[2 * k + 1] as number], trans);
      cropJoints[2 * k] = x;
      cropJoints[2 * k + 1] = y;
    }
  }
  const { target, targetWeight } = generateTarget(cropJoints, jointsVis, {
    imageSize,
    heatmapSize: config.heatmapSize,
    sigma: config.sigma,
    encoding,
    layout: config.targetLayout,
    ...(config.jointsWeight ? { jointsWeight: config.jointsWeight } : {}),
  });
  return {
    image: input,
    target,
    targetWeight,
    meta: {
      image: record.image,
      imageId: record.imageId,
      center: aug.center,
      scale: aug.scale,
      rotation: aug.rotation,
      flipped: aug.flip,
      score: record.score,
      joints: cropJoints,
      jointsVis: Float64Array.from(jointsVis),
    },
  };
}
