import type { RgbImage } from '@hrnet/datasets';
import * as tf from '@tensorflow/tfjs-core';

/** Browser image sources that `tf.browser.fromPixels` reads. */
export type BrowserImage = HTMLImageElement | HTMLCanvasElement | HTMLVideoElement | ImageBitmap;

/**
 * An image to estimate poses on: 8-bit RGB pixels (`{data, width, height}`, HWC), RGBA `ImageData`, an RGB
 * tensor `[H, W, 3]` (0-255), or a browser image element/bitmap.
 */
export type ImageInput = RgbImage | ImageData | tf.Tensor3D | BrowserImage;

function isPixels(input: ImageInput): input is RgbImage | ImageData {
  return 'data' in input && 'width' in input && 'height' in input && !(input instanceof tf.Tensor);
}

/** Reads any {@link ImageInput} into 8-bit RGB pixels on the CPU, where the crops are cut. */
export async function toRgbImage(input: ImageInput): Promise<RgbImage> {
  if (isPixels(input)) {
    const { data, width, height } = input;
    if (data.length === width * height * 3) return input as RgbImage;
    if (data.length !== width * height * 4) {
      throw new Error(
        `image data has ${data.length} bytes, expected ${width}x${height}x3 (RGB) or x4 (RGBA)`,
      );
    }
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
      rgb[i] = data[j]!;
      rgb[i + 1] = data[j + 1]!;
      rgb[i + 2] = data[j + 2]!;
    }
    return { data: rgb, width, height };
  }
  const tensor = input instanceof tf.Tensor ? input : tf.browser.fromPixels(input as BrowserImage);
  try {
    if (tensor.rank !== 3 || tensor.shape[2] !== 3) {
      throw new Error(`image tensor must be RGB [H, W, 3], got [${tensor.shape.join(', ')}]`);
    }
    const [height, width] = tensor.shape;
    return { data: Uint8Array.from(await tensor.data()), width, height };
  } finally {
    if (tensor !== input) tensor.dispose();
  }
}
