export { decodeImageBytes, decodeImageFile } from './image-node';
export * from './index';
export {
  createTopDownLoader,
  loadCocoDetections,
  loadCocoKeypoints,
  loadMpii,
  TopDownLoader,
  type TopDownLoaderOptions,
} from './loader-node';
export { SampleWorkerPool } from './worker-pool';
