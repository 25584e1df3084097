export {
  type BestMetric,
  CheckpointError,
  loadCheckpoint,
  saveCheckpoint,
  type TrainingCheckpoint,
} from './checkpoint';
export { type Experiment, experimentFromOfficial, loadExperiment, presetExperiment } from './experiment';
export type { EpochSummary, StepRecord } from './log';
export { multiStepLr } from './lr-schedule';
export { OUTPUT_FILES, type TrainHooks, type TrainOptions, type TrainResult, train } from './trainer';
