import { describe, expect, it } from 'vitest';
import { float16BitsToFloat32, float32ToFloat16Bits, ndarray, sizeOf, toFloat32 } from './ndarray';

describe('ndarray helpers', () => {
  it('validates dtype and element count', () => {
    expect(sizeOf([])).toBe(1);
    expect(() => ndarray('float32', [2, 2], new Float32Array(3))).toThrow(
      'shape [2, 2] needs 4 elements, data has 3',
    );
    expect(() => ndarray('int64', [1], new Int32Array(1))).toThrow('int64 data must be a BigInt64Array');
    expect(() => ndarray('uint8', [-1], new Uint8Array(0))).toThrow('invalid shape');
  });

  it('converts every finite float16 exactly and back', () => {
    const bits = Uint16Array.from({ length: 0x10000 }, (_, i) => i).filter((b) => (b & 0x7c00) !== 0x7c00);
    expect(float32ToFloat16Bits(float16BitsToFloat32(bits))).toEqual(bits);
    expect(float16BitsToFloat32(Uint16Array.of(0x3c00, 0xc000, 0x0001, 0x7c00, 0xfc00))).toEqual(
      Float32Array.of(1, -2, 2 ** -24, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    );
    expect(Number.isNaN(float16BitsToFloat32(Uint16Array.of(0x7e00))[0])).toBe(true);
  });

  it('rounds to nearest, ties to even', () => {
    const ulp = 2 ** -10;
    const input = Float32Array.of(
      1 + ulp / 2,
      1 + (3 * ulp) / 2,
      1 + ulp / 2 + 2 ** -20,
      65520,
      1e-8,
      2 ** -25,
      3 * 2 ** -26,
    );
    expect([...float32ToFloat16Bits(input)]).toEqual([
      0x3c00, 0x3c02, 0x3c01, 0x7c00, 0x0000, 0x0000, 0x0001,
    ]);
  });

  it('converts any dtype to float32', () => {
    expect(toFloat32(ndarray('int64', [2], BigInt64Array.of(-3n, 5n)))).toEqual(Float32Array.of(-3, 5));
    expect(toFloat32(ndarray('float64', [1], Float64Array.of(0.1)))).toEqual(Float32Array.of(0.1));
    expect(toFloat32(ndarray('float16', [1], Uint16Array.of(0x3800)))).toEqual(Float32Array.of(0.5));
  });
});
