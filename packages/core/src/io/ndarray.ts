/** Element types an {@link NdArray} can hold. */
export type NdDType =
  | 'float16'
  | 'float32'
  | 'float64'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'bool';

/** Typed-array storage of an {@link NdArray}; float16 is kept as raw IEEE half bits in a Uint16Array. */
export type NdData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint16Array;

/** A dense C-order (row-major) n-dimensional array. `shape: []` is a scalar holding one element. */
export interface NdArray {
  dtype: NdDType;
  shape: number[];
  data: NdData;
}

/** Typed-array constructor used to store each dtype. */
export const DTYPE_ARRAY = {
  float16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
} as const;

/** Bytes per element of each dtype. */
export function bytesPerElement(dtype: NdDType): number {
  return DTYPE_ARRAY[dtype].BYTES_PER_ELEMENT;
}

/** Number of elements of an array with this shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/**
 * Builds an {@link NdArray}, checking that the shape is made of non-negative integers,
 * that `data` is the typed array used for `dtype`, and that it holds exactly `sizeOf(shape)` elements.
 */
export function ndarray(dtype: NdDType, shape: readonly number[], data: NdData): NdArray {
  if (!shape.every((dim) => Number.isInteger(dim) && dim >= 0)) {
    throw new Error(`invalid shape [${shape.join(', ')}]: dimensions must be non-negative integers`);
  }
  const expected = DTYPE_ARRAY[dtype];
  if (!(data instanceof expected)) {
    throw new Error(`${dtype} data must be a ${expected.name}, got ${data.constructor.name}`);
  }
  const size = sizeOf(shape);
  if (data.length !== size) {
    throw new Error(`shape [${shape.join(', ')}] needs ${size} elements, data has ${data.length}`);
  }
  return { dtype, shape: [...shape], data };
}

/** Whether a dtype holds floating-point values. */
export function isFloatDType(dtype: NdDType): boolean {
  return dtype === 'float16' || dtype === 'float32' || dtype === 'float64';
}

/**
 * The values of `nd` as float32: float16 converts exactly, float64 and integers round to the nearest
 * float32. Returns `nd.data` itself (not a copy) when it is already float32.
 */
export function toFloat32(nd: NdArray): Float32Array {
  const { data } = nd;
  if (nd.dtype === 'float16') return float16BitsToFloat32(data as Uint16Array);
  if (data instanceof Float32Array) return data;
  if (data instanceof BigInt64Array) return Float32Array.from(data, (value) => Number(value));
  return Float32Array.from(data);
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

function float32ToHalf(value: number): number {
  f32Scratch[0] = value;
  const bits = u32Scratch[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 | (mantissa >>> 13) : 0);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    // Below 2^-25 everything (ties included, as even is 0) rounds to zero; also keeps the shifts below < 32.
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const half = 1 << (shift - 1);
    const rest = mantissa & ((1 << shift) - 1);
    let result = mantissa >>> shift;
    if (rest > half || (rest === half && result & 1)) result++;
    return sign | result;
  }
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  let result = (halfExponent << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && result & 1)) result++;
  return sign | result;
}

/** IEEE half-precision bits of each value, rounding to nearest, ties to even (overflow gives ±Infinity). */
export function float32ToFloat16Bits(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32ToHalf(values[i]!);
  return out;
}

function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** Exact float32 values of IEEE half-precision bits. */
export function float16BitsToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = halfToNumber(bits[i]!);
  return out;
}
