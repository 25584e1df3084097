import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { referencePath } from '../../../../testing/shared';
import { FormatError } from './errors';
import { type NdArray, ndarray } from './ndarray';
import { encodeNpy, parseNpy } from './npy';

function npyFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return npyFiles(path);
    return name.endsWith('.npy') ? [path] : [];
  });
}

const samples: NdArray[] = [
  ndarray('float32', [2, 3], Float32Array.from([1, -2, 3.5, 0, 1e-8, 7])),
  ndarray('float64', [3], Float64Array.from([Math.PI, -1, 1e300])),
  ndarray('float16', [2], Uint16Array.from([0x3c00, 0xc000])),
  ndarray('int8', [1, 2], Int8Array.from([-128, 127])),
  ndarray('uint8', [2, 1, 1], Uint8Array.from([0, 255])),
  ndarray('int16', [2], Int16Array.from([-32768, 5])),
  ndarray('int32', [], Int32Array.from([-7])),
  ndarray('int64', [2], BigInt64Array.from([-(2n ** 62n), 42n])),
  ndarray('bool', [3], Uint8Array.from([1, 0, 1])),
  ndarray('float32', [0, 4], new Float32Array(0)),
];

describe('npy', () => {
  it.each(samples.map((nd) => [nd.dtype, nd.shape.join('x'), nd] as const))(
    'round-trips %s %s',
    (_, __, nd) => {
      const bytes = encodeNpy(nd);
      expect((bytes.length - nd.data.byteLength) % 64).toBe(0);
      expect(parseNpy(bytes)).toEqual(nd);
    },
  );

  it('writes the header of a 1-d shape as a Python tuple', () => {
    const text = new TextDecoder().decode(encodeNpy(samples[1]!).subarray(10, 128));
    expect(text).toMatch(/^\{'descr': '<f8', 'fortran_order': False, 'shape': \(3,\), \} *\n$/);
  });

  it('reads every reference fixture', () => {
    const files = npyFiles(referencePath());
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const nd = parseNpy(readFileSync(file), file);
      expect(nd.data.length).toBe(nd.shape.reduce((a, b) => a * b, 1));
    }
    const input = parseNpy(readFileSync(referencePath('models', 'tiny', 'input.npy')));
    expect(input.dtype).toBe('float32');
    expect(input.shape).toEqual([2, 3, 96, 64]);
    expect(parseNpy(readFileSync(referencePath('models', 'tiny', 'output.npy'))).shape).toEqual([
      2, 17, 24, 16,
    ]);
  });

  it('reads format 2.0 headers', () => {
    const v1 = encodeNpy(samples[0]!);
    const v2 = new Uint8Array(v1.length + 2);
    v2.set(v1.subarray(0, 8));
    v2[6] = 2;
    new DataView(v2.buffer).setUint32(8, new DataView(v1.buffer).getUint16(8, true), true);
    v2.set(v1.subarray(10), 12);
    expect(parseNpy(v2)).toEqual(samples[0]);
  });

  function withHeader(header: string, dataBytes: number): Uint8Array {
    const bytes = encodeNpy(ndarray('uint8', [dataBytes], new Uint8Array(dataBytes)));
    const original = new TextDecoder().decode(bytes.subarray(10, 128));
    const padded = header.padEnd(original.length - 1, ' ');
    bytes.set(new TextEncoder().encode(padded), 10);
    return bytes;
  }

  it.each([
    ['bad magic', new Uint8Array(64), 'x.npy: not a .npy file (bad magic)'],
    [
      'Fortran order',
      withHeader("{'descr': '|u1', 'fortran_order': True, 'shape': (4,), }", 4),
      'Fortran-order',
    ],
    ['big-endian', withHeader("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 4), 'big-endian'],
    ['object dtype', withHeader("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 4), "dtype '|O'"],
    [
      'wrong data length',
      withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 4),
      'needs 8',
    ],
    ['truncated header', encodeNpy(samples[0]!).subarray(0, 30), 'truncated .npy header'],
    ['garbled header', withHeader('{}', 4), 'malformed .npy header'],
  ])('rejects %s', (_, bytes, message) => {
    expect(() => parseNpy(bytes, 'x.npy')).toThrow(FormatError);
    expect(() => parseNpy(bytes, 'x.npy')).toThrow(message);
  });
});
