/** A decoded 8-bit RGB image, rows top to bottom, 3 interleaved channels (HWC). */
export interface RgbImage {
  /** `height * width * 3` bytes. */
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}
