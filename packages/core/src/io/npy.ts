import { FormatError } from './errors';
import { bytesPerElement, DTYPE_ARRAY, type NdArray, type NdDType, ndarray, sizeOf } from './ndarray';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** NumPy `descr` strings we read and write (host byte order is assumed little-endian, as everywhere JS runs). */
const DESCR_TO_DTYPE: Record<string, NdDType> = {
  '<f2': 'float16',
  '<f4': 'float32',
  '<f8': 'float64',
  '|i1': 'int8',
  '|u1': 'uint8',
  '<i2': 'int16',
  '<i4': 'int32',
  '<i8': 'int64',
  '|b1': 'bool',
};

const DTYPE_TO_DESCR = Object.fromEntries(
  Object.entries(DESCR_TO_DTYPE).map(([descr, dtype]) => [dtype, descr]),
) as Record<NdDType, string>;

interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeader(text: string, source: string): NpyHeader {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) {
    throw new FormatError(source, `malformed .npy header ${JSON.stringify(text.trim())}`);
  }
  const dims = shape[1]!
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (!dims.every((dim) => /^\d+$/.test(dim))) {
    throw new FormatError(source, `malformed .npy shape (${shape[1]})`);
  }
  return { descr: descr[1]!, fortranOrder: fortran[1] === 'True', shape: dims.map(Number) };
}

/**
 * Parses a NumPy `.npy` file (format 1.0, 2.0 or 3.0) holding a little-endian C-order array.
 * The data is copied, so the result does not alias `bytes` and is correctly aligned.
 * @param source - file path or label used in error messages.
 * @throws FormatError on a bad magic, header, unsupported dtype, Fortran order or wrong data length.
 */
export function parseNpy(bytes: Uint8Array, source = '<npy>'): NdArray {
  if (bytes.length < 10 || MAGIC.some((byte, i) => bytes[i] !== byte)) {
    throw new FormatError(source, 'not a .npy file (bad magic)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  let headerStart: number;
  let headerLength: number;
  if (major === 1) {
    headerStart = 10;
    headerLength = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new FormatError(source, 'truncated .npy header');
    headerStart = 12;
    headerLength = view.getUint32(8, true);
  } else {
    throw new FormatError(source, `unsupported .npy format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new FormatError(source, 'truncated .npy header');
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataStart),
  );
  const header = parseHeader(text, source);
  const dtype = DESCR_TO_DTYPE[header.descr];
  if (!dtype) {
    const hint = header.descr.startsWith('>') ? ' (big-endian arrays are not supported)' : '';
    throw new FormatError(source, `unsupported .npy dtype '${header.descr}'${hint}`);
  }
  const size = sizeOf(header.shape);
  if (header.fortranOrder) {
    throw new FormatError(source, 'Fortran-order arrays are not supported; save with C order');
  }
  const byteLength = size * bytesPerElement(dtype);
  if (bytes.length - dataStart !== byteLength) {
    throw new FormatError(
      source,
      `.npy data is ${bytes.length - dataStart} bytes, shape (${header.shape.join(', ')}) of ${header.descr} needs ${byteLength}`,
    );
  }
  // A fresh Uint8Array, not `slice`: on a Node Buffer `slice` returns a possibly misaligned view.
  const copy = new Uint8Array(bytes.subarray(dataStart, dataStart + byteLength));
  return ndarray(dtype, header.shape, new DTYPE_ARRAY[dtype](copy.buffer, 0, size));
}

/** Encodes an array as a `.npy` file (format 1.0, header padded so the data starts at a multiple of 64). */
export function encodeNpy(nd: NdArray): Uint8Array {
  const shape = nd.shape.length === 1 ? `(${nd.shape[0]},)` : `(${nd.shape.join(', ')})`;
  const dict = `{'descr': '${DTYPE_TO_DESCR[nd.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  const unpadded = 10 + dict.length + 1;
  const header = `${dict}${' '.repeat((64 - (unpadded % 64)) % 64)}\n`;
  const data = new Uint8Array(nd.data.buffer, nd.data.byteOffset, nd.data.byteLength);
  const out = new Uint8Array(10 + header.length + data.length);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(data, 10 + header.length);
  return out;
}
