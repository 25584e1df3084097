import { readFileSync } from 'node:fs';

/** A `.npy` array read for tests: values as float64 and the C-order shape. */
export interface NpyArray {
  readonly data: Float64Array;
  readonly float32: Float32Array | null;
  readonly shape: number[];
}

/** Reads a little-endian, C-order `.npy` file of float32, float64 or int64 (test-only helper). */
export function readNpy(path: string): NpyArray {
  const bytes = readFileSync(path);
  if (bytes.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path} is not a .npy file`);
  const major = bytes[6]!;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || fortran !== 'False' || shapeText === undefined)
    throw new Error(`${path}: unsupported header ${header}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const body = bytes.subarray(headerStart + headerLength);
  const buffer = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength);
  switch (descr) {
    case '<f4': {
      const float32 = new Float32Array(buffer, 0, count);
      return { data: Float64Array.from(float32), float32, shape };
    }
    case '<f8':
      return { data: new Float64Array(buffer, 0, count), float32: null, shape };
    case '<i8':
      return { data: Float64Array.from(new BigInt64Array(buffer, 0, count), Number), float32: null, shape };
    default:
      throw new Error(`${path}: unsupported dtype ${descr}`);
  }
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}
