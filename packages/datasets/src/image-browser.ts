import { ImageReadError } from './errors';
import type { RgbImage } from './image';

/**
 * Decodes an image in the browser (or a web worker) with `createImageBitmap` and an
 * `OffscreenCanvas`: a URL is fetched first. EXIF orientation is ignored, as the official
 * `cv2.IMREAD_IGNORE_ORIENTATION`. Browser JPEG decoders may differ from libjpeg by a level or two.
 *
 * @throws ImageReadError naming the URL (or `"<blob>"`) when it cannot be fetched or decoded.
 */
export async function decodeImageBrowser(source: string | Blob): Promise<RgbImage> {
  const name = typeof source === 'string' ? source : '<blob>';
  let blob: Blob;
  if (typeof source === 'string') {
    const response = await fetch(source).catch((cause: unknown) => {
      throw new ImageReadError(name, `fetch failed (${(cause as Error).message})`, { cause });
    });
    if (!response.ok) throw new ImageReadError(name, `HTTP ${response.status}`);
    blob = await response.blob();
  } else {
    blob = source;
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, {
      imageOrientation: 'none',
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
    });
  } catch (cause) {
    throw new ImageReadError(name, `not a decodable image (${(cause as Error).message})`, { cause });
  }
  const { width, height } = bitmap;
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new ImageReadError(name, 'no 2d canvas context');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const data = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    data[j] = rgba[i] as number;
    data[j + 1] = rgba[i + 1] as number;
    data[j + 2] = rgba[i + 2] as number;
  }
  return { data, width, height };
}
