export { AttentionExchange } from './attention-exchange';
export { BasicBlock, Bottleneck } from './blocks';
export {
  type BlockType,
  ConfigError,
  type ExchangeMethod,
  type HeadType,
  HRNET_PRESETS,
  type HRNetConfig,
  type HRNetPresetName,
  hrnetConfigFromOfficial,
  hrnetPreset,
  parseHRNetConfigYaml,
  type StageConfig,
} from './config';
export { HighResolutionModule } from './hr-module';
export { jointsMSELoss } from './loss';
export { MultiScaleHead } from './multi-scale-head';
export { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from './onnx/export';
export {
  ONNX_OPSET,
  type OnnxAttribute,
  type OnnxConvOptions,
  type OnnxDim,
  OnnxGraphBuilder,
} from './onnx/graph-builder';
export { PoseHighResolutionNet } from './pose-hrnet';
export type { StateEntry, StateKind, StateLayout } from './state';
export { type HasState, loadStateDict, StateDictError, stateDict } from './state-dict';
export { lossAndGradients, type TrainingBatch, trainStep } from './train-step';
export { BN_EPS, BN_MOMENTUM, CONV_INIT_STD, type ForwardMode } from './units';
