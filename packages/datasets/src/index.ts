export {
  type Augmentation,
  type AugmentLayout,
  type AugmentOptions,
  fliplrJoints,
  identityAugmentation,
  sampleAugmentation,
} from './augment';
export { assembleBatch, type Batch, type BatcherOptions, type SampleFn, TopDownBatcher } from './batcher';
export {
  type CocoImageInfo,
  type CocoKeypoints,
  type CocoKeypointsOptions,
  parseCocoKeypoints,
} from './coco';
export { type WarpAffineOptions, warpAffine } from './crop';
export { type CocoDetectionsOptions, cocoImageFileName, parseCocoDetections } from './detections';
export { AnnotationError, DatasetError, ImageReadError } from './errors';
export { halfBodyTransform } from './half-body';
export type { RgbImage } from './image';
export { decodeImageBrowser } from './image-browser';
export * from './metrics';
export { type MpiiOptions, parseMpii } from './mpii';
export { denormalizeImage, IMAGENET_MEAN, IMAGENET_STD, normalizeImage } from './normalize';
export {
  cropMatrix,
  type ResolvedTopDownConfig,
  resolveTopDownConfig,
  type SampleMeta,
  type TopDownConfig,
  type TopDownSample,
  topDownSample,
} from './pipeline';
export { type JointsRecord, joinImagePath } from './record';
export { Rng } from './rng';
export { generateTarget, type Target, type TargetLayout, type TargetOptions } from './target';
export { parseJson } from './validate';
