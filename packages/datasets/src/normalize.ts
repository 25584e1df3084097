/** ImageNet channel means (RGB, on values / 255), as the official `transforms.Normalize`. */
export const IMAGENET_MEAN: readonly [number, number, number] = [0.485, 0.456, 0.406];
/** ImageNet channel standard deviations (RGB). */
export const IMAGENET_STD: readonly [number, number, number] = [0.229, 0.224, 0.225];

const f32 = Math.fround;

/** Per channel, the float32 value of each byte: `(v / 255 - mean) / std` as torch computes it. */
const LUT: Float32Array = (() => {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) {
      lut[c * 256 + v] = f32(
        f32(f32(v / 255) - f32(IMAGENET_MEAN[c] as number)) / f32(IMAGENET_STD[c] as number),
      );
    }
  }
  return lut;
})();

/**
 * ImageNet normalization of an RGB HWC byte image (`ToTensor()` then `Normalize(mean, std)`, in
 * float32), written as HWC floats into `out` at `offset` (default: a new array).
 */
export function normalizeImage(rgb: ArrayLike<number>, out?: Float32Array, offset = 0): Float32Array {
  const dst = out ?? new Float32Array(rgb.length);
  for (let i = 0; i < rgb.length; i += 3) {
    dst[offset + i] = LUT[rgb[i] as number] as number;
    dst[offset + i + 1] = LUT[256 + (rgb[i + 1] as number)] as number;
    dst[offset + i + 2] = LUT[512 + (rgb[i + 2] as number)] as number;
  }
  return dst;
}

/** The inverse of {@link normalizeImage} for display: HWC floats back to RGB bytes (rounded, clamped). */
export function denormalizeImage(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = i % 3;
    const v = ((values[i] as number) * (IMAGENET_STD[c] as number) + (IMAGENET_MEAN[c] as number)) * 255;
    out[i] = Math.min(255, Math.max(0, Math.round(v)));
  }
  return out;
}
