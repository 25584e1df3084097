export { FormatError } from './errors';
export {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  type NdArray,
  type NdData,
  type NdDType,
  ndarray,
  sizeOf,
  toFloat32,
} from './ndarray';
export { encodeNpy, parseNpy } from './npy';
export {
  OpaqueObject,
  type PickleCallable,
  type UnpickleOptions,
  type UnpickleResult,
  unpickle,
} from './pickle';
export { readStateDict } from './pth';
export {
  decodeWeights,
  type EncodedWeights,
  type EncodeWeightsOptions,
  encodeWeights,
  type WeightQuantization,
  type WeightsManifestEntry,
  type WeightsManifestGroup,
} from './tfjs-weights';
export { readZip } from './zip';
