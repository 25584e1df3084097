export { type CreatePoseEstimatorOptions, createPoseEstimator } from './estimator/create';
export { type BrowserImage, type ImageInput, toRgbImage } from './estimator/image';
export {
  type HeatmapNetwork,
  hrnetNetwork,
  isNchwNetwork,
  type NchwHeatmapNetwork,
  type NchwHeatmaps,
  type NchwShape,
  networkFromFiles,
  type PoseNetwork,
} from './estimator/network';
export {
  type DetailedEstimate,
  type EstimatePosesOptions,
  type EstimatorModel,
  type PersonInstance,
  PoseEstimator,
  type StageTimings,
} from './estimator/pose-estimator';
export * from './ncnn';
export { OnnxHeatmapNetwork, toOnnxNetwork } from './onnx/onnx-network';
export {
  importOnnxRuntime,
  OnnxRuntimeUnavailableError,
  type OrtModule,
  type OrtSession,
  type OrtSessionOptions,
  type OrtTensor,
} from './onnx/ort';
export {
  INFERENCE_RUNTIMES,
  type InferenceRuntime,
  networkForRuntime,
  type RuntimeOptions,
} from './onnx/runtime';
export { hasChecksum, sha256Hex, verifyWeightFile } from './weights/checksum';
export {
  CONVERTED_CHECKPOINT_FORMAT,
  type ConvertedCheckpointMetadata,
  configFromConvertedMetadata,
  convertedCheckpointMetadata,
  officialModelSection,
  stateDictEntries,
} from './weights/converted';
export { type DownloadOptions, type DownloadProgress, downloadWeightFile } from './weights/download';
export { ChecksumMismatchError, WeightsUnavailableError } from './weights/errors';
export { IndexedDbWeightsCache } from './weights/indexeddb-cache';
export {
  fetchCardWeights,
  type LocatedWeightFile,
  type LocatedWeights,
  type LocateWeightsOptions,
  locateCardWeights,
  type WeightFileOrigin,
} from './weights/resolve';
export { type WeightsCache, type WeightsStore, weightsKey } from './weights/storage';
export {
  getModelCard,
  IMAGENET_NORMALIZATION,
  isHRNetConfig,
  listModelCards,
  type ModelCard,
  type ModelDataset,
  type ModelFamily,
  type NcnnModelConfig,
  type Normalization,
  PP_TINYPOSE_NORMALIZATION,
  type PublishedAccuracy,
  UnknownModelError,
  type WeightFile,
  type WeightSource,
  type WeightSourceName,
} from './zoo/cards';
export { type FlipTestOptions, type PredictHeatmaps, predictWithFlipTest } from './zoo/flip-test';
export { flipTestNchw } from './zoo/flip-test-nchw';
