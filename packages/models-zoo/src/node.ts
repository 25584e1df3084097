export {
  type CreateNodePoseEstimatorOptions,
  createPoseEstimator,
  loadZooNetwork,
  type NodeImageInput,
  NodePoseEstimator,
  type ZooWeightsOptions,
} from './estimator/node';
export * from './index';
export {
  loadConvertedCheckpoint,
  type SaveConvertedOptions,
  saveConvertedCheckpoint,
} from './weights/node/converted-dir';
export { FileWeightsStore } from './weights/node/file-store';
export {
  defaultCacheDir,
  type ResolvedWeights,
  type ResolveWeightsOptions,
  resolveWeights,
} from './weights/node/resolve-weights';
