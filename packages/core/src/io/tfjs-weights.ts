import { FormatError } from './errors';
import {
  float16BitsToFloat32,
  float32ToFloat16Bits,
  isFloatDType,
  type NdArray,
  ndarray,
  sizeOf,
  toFloat32,
} from './ndarray';

/** Quantization of one weight in a tfjs manifest (`value = q * scale + min` for uint8/uint16). */
export type WeightQuantization =
  | { dtype: 'float16' }
  | { dtype: 'uint8' | 'uint16'; scale: number; min: number };

/** One weight in a tfjs `weightsManifest` group. */
export interface WeightsManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  quantization?: WeightQuantization;
}

/** A tfjs manifest group: its weights are concatenated in order and split over the shard files in `paths`. */
export interface WeightsManifestGroup {
  paths: string[];
  weights: WeightsManifestEntry[];
}

/** Options of {@link encodeWeights}. */
export interface EncodeWeightsOptions {
  /** Store float weights as float16 or as per-tensor affine uint8 (as tfjs-converter does). Default: float32. */
  quantization?: 'float16' | 'uint8';
  /** Maximum bytes per shard. Default 4 MiB, as tfjs-converter. */
  shardBytes?: number;
  /** Shard file name prefix: shards are `<prefix>-shard<i>of<n>.bin`. Default `group1`. */
  shardPrefix?: string;
}

/** Output of {@link encodeWeights}: the manifest for model.json and the shard files it names. */
export interface EncodedWeights {
  manifest: WeightsManifestGroup[];
  shards: { path: string; bytes: Uint8Array }[];
}

const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function asBytes(data: ArrayBufferView): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function quantizeUint8(values: Float32Array): { bytes: Uint8Array; scale: number; min: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (values.length === 0) min = max = 0;
  const scale = (max - min) / 255;
  // A constant tensor has scale 0: every value is exactly `min`.
  const bytes = Uint8Array.from(values, (value) => (scale === 0 ? 0 : Math.round((value - min) / scale)));
  return { bytes, scale, min };
}

function encodeEntry(name: string, array: NdArray, quantization: EncodeWeightsOptions['quantization']) {
  const shape = [...array.shape];
  if (isFloatDType(array.dtype)) {
    const values = toFloat32(array);
    if (quantization === 'float16') {
      const bits = array.dtype === 'float16' ? (array.data as Uint16Array) : float32ToFloat16Bits(values);
      const entry: WeightsManifestEntry = {
        name,
        shape,
        dtype: 'float32',
        quantization: { dtype: 'float16' },
      };
      return { entry, bytes: asBytes(bits) };
    }
    if (quantization === 'uint8') {
      const { bytes, scale, min } = quantizeUint8(values);
      const entry: WeightsManifestEntry = {
        name,
        shape,
        dtype: 'float32',
        quantization: { dtype: 'uint8', scale, min },
      };
      return { entry, bytes };
    }
    return { entry: { name, shape, dtype: 'float32' } as WeightsManifestEntry, bytes: asBytes(values) };
  }
  if (array.dtype === 'bool')
    return { entry: { name, shape, dtype: 'bool' } as WeightsManifestEntry, bytes: asBytes(array.data) };
  const ints = new Int32Array(array.data.length);
  array.data.forEach((value: number | bigint, i: number) => {
    const number = Number(value);
    if (number < INT32_MIN || number > INT32_MAX) {
      throw new RangeError(`weight ${name}: ${array.dtype} value ${value} does not fit in int32`);
    }
    ints[i] = number;
  });
  return { entry: { name, shape, dtype: 'int32' } as WeightsManifestEntry, bytes: asBytes(ints) };
}

/**
 * Encodes named arrays in the tfjs weights format (one manifest group, shards of at most `shardBytes`).
 * Floats are stored as float32 (float64 rounded) unless quantized; integers as int32, after a range check.
 * @throws RangeError when an integer does not fit in int32.
 */
export function encodeWeights(
  entries: readonly { name: string; array: NdArray }[],
  options: EncodeWeightsOptions = {},
): EncodedWeights {
  const shardBytes = options.shardBytes ?? DEFAULT_SHARD_BYTES;
  const encoded = entries.map(({ name, array }) => encodeEntry(name, array, options.quantization));
  const total = encoded.reduce((sum, { bytes }) => sum + bytes.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const { bytes } of encoded) {
    all.set(bytes, at);
    at += bytes.length;
  }
  const count = Math.max(1, Math.ceil(total / shardBytes));
  const prefix = options.shardPrefix ?? 'group1';
  const shards = Array.from({ length: count }, (_, i) => ({
    path: `${prefix}-shard${i + 1}of${count}.bin`,
    bytes: all.slice(i * shardBytes, (i + 1) * shardBytes),
  }));
  return {
    manifest: [{ paths: shards.map((shard) => shard.path), weights: encoded.map((e) => e.entry) }],
    shards,
  };
}

function storedBytesPerElement(entry: WeightsManifestEntry): number {
  const dtype = entry.quantization?.dtype ?? entry.dtype;
  const sizes: Record<string, number> = { float32: 4, int32: 4, bool: 1, float16: 2, uint8: 1, uint16: 2 };
  const size = sizes[dtype];
  if (size === undefined)
    throw new FormatError('<weights manifest>', `weight ${entry.name} has unsupported dtype ${dtype}`);
  return size;
}

function decodeEntry(entry: WeightsManifestEntry, bytes: Uint8Array): NdArray {
  const size = sizeOf(entry.shape);
  // Copy to a fresh buffer so every typed array below is aligned.
  const buffer = new Uint8Array(bytes).buffer;
  const quantization = entry.quantization;
  if (quantization?.dtype === 'float16') {
    return ndarray('float32', entry.shape, float16BitsToFloat32(new Uint16Array(buffer)));
  }
  if (quantization) {
    const { scale, min } = quantization;
    const codes = quantization.dtype === 'uint8' ? new Uint8Array(buffer) : new Uint16Array(buffer);
    const values = Float32Array.from(codes, (code) => code * scale + min);
    return entry.dtype === 'int32'
      ? ndarray('int32', entry.shape, Int32Array.from(values, Math.round))
      : ndarray('float32', entry.shape, values);
  }
  if (entry.dtype === 'float32') return ndarray('float32', entry.shape, new Float32Array(buffer, 0, size));
  if (entry.dtype === 'int32') return ndarray('int32', entry.shape, new Int32Array(buffer, 0, size));
  return ndarray('bool', entry.shape, new Uint8Array(buffer, 0, size));
}

/**
 * Decodes tfjs weights: each group's shards (read with `readShard`, by the manifest path) are concatenated and
 * split into the listed weights. Quantized weights are dequantized to float32.
 * @throws FormatError when shards are shorter or longer than the manifest says, or a dtype is unsupported.
 */
export function decodeWeights(
  manifest: readonly WeightsManifestGroup[],
  readShard: (path: string) => Uint8Array,
): Map<string, NdArray> {
  const weights = new Map<string, NdArray>();
  for (const group of manifest) {
    const label = group.paths.join(', ');
    const shards = group.paths.map(readShard);
    const all = new Uint8Array(shards.reduce((sum, shard) => sum + shard.length, 0));
    let offset = 0;
    for (const shard of shards) {
      all.set(shard, offset);
      offset += shard.length;
    }
    let at = 0;
    for (const entry of group.weights) {
      if (!Array.isArray(entry.shape) || !entry.shape.every((dim) => Number.isInteger(dim) && dim >= 0)) {
        throw new FormatError(label, `weight ${entry.name} has an invalid shape`);
      }
      const byteLength = sizeOf(entry.shape) * storedBytesPerElement(entry);
      if (at + byteLength > all.length) {
        throw new FormatError(label, `truncated: weight ${entry.name} extends past the end of the shards`);
      }
      weights.set(entry.name, decodeEntry(entry, all.subarray(at, at + byteLength)));
      at += byteLength;
    }
    if (at !== all.length) {
      throw new FormatError(label, `shards hold ${all.length} bytes, the manifest describes ${at}`);
    }
  }
  return weights;
}
