export {
  COCO_KEYPOINT_STAT_NAMES,
  COCO_OKS_SIGMAS,
  type CocoEvalOptions,
  type CocoKeypointsEvaluation,
  computeOks,
  evaluateCocoKeypoints,
  type OksPose,
} from './coco-eval';
export {
  type CocoPosePrediction,
  type CocoResultsOptions,
  cocoKeypointResults,
  evaluateCocoPredictions,
} from './coco-flow';
export {
  type CocoEvalCategory,
  type CocoEvalImage,
  type CocoKeypointsAnnotation,
  type CocoKeypointsGroundTruth,
  type CocoKeypointsResult,
  parseCocoKeypointsGroundTruth,
  parseCocoKeypointsResults,
} from './coco-format';
export { MetricsError } from './errors';
export {
  evaluateMpiiPckh,
  type MpiiPckhGroundTruth,
  type MpiiPckhName,
  type MpiiPckhOptions,
  type MpiiPckhResult,
} from './mpii-pckh';
export {
  type EpeResult,
  endPointError,
  type JointPositions,
  type KeypointAccuracyInput,
  type PckResult,
  pckBbox,
} from './pck';
