export {
  type AffineMatrix,
  affineTransform,
  type BoxToCenterScaleOptions,
  type BoxXywh,
  boxToCenterScale,
  getAffineTransform,
  getUdpWarpMatrix,
  invertAffine,
  PIXEL_STD,
  type TransformPredsOptions,
  transformPreds,
  type Vec2,
} from './affine';
export { DecodeError } from './errors';
export {
  type FlipPairs,
  flipBack,
  flipChannels,
  type MergeFlippedOptions,
  mergeFlipped,
  shiftHeatmaps,
} from './flip';
export { createHeatmaps, type HeatmapShape, type Heatmaps } from './heatmaps';
export { type FinalPredsOptions, getFinalPreds, getMaxPreds, type KeypointPreds } from './inference';
export {
  COCO_KEYPOINTS,
  defineKeypointSet,
  type KeypointSet,
  type KeypointSetSpec,
  MPII_KEYPOINTS,
  type Rgb,
  type SkeletonEdge,
} from './keypoints';
export {
  type OksCandidate,
  type OksOptions,
  oksIou,
  oksNms,
  rescorePose,
  type ScoredPoint,
  softOksNms,
} from './nms';
export type { PointList } from './points';
export {
  type BoundingBox,
  type DecodeMethod,
  type DecodeOptions,
  decodeHeatmaps,
  type Keypoint,
  type Pose,
} from './pose';
export { gaussianBlur, refineKeypoints, refineKeypointsDark, refineKeypointsDarkUdp } from './refine';
