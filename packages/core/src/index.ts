export {
  BACKEND_NAMES,
  BackendError,
  type BackendName,
  type BackendOptions,
  registerGradients,
  setBackend,
} from './backend';
export { type BatchNormParameters, foldBatchNorm } from './fold';
export * from './io';
export { nchwToNhwc, ndArrayFromTensor, nhwcToNchw, tensorFromNdArray } from './layout';
export { Adam, type AdamOptions, type AdamState } from './optim/adam';
export { registerTrainingKernels } from './training-kernels';
