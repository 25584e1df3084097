import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { ImageReadError } from './errors';
import type { RgbImage } from './image';

/**
 * Decodes an image file to 8-bit RGB with sharp (libvips + libjpeg-turbo), like the official
 * `cv2.imread(path, IMREAD_COLOR | IMREAD_IGNORE_ORIENTATION)` then BGR -> RGB: EXIF orientation is
 * ignored, alpha dropped, grey images expanded to 3 channels.
 *
 * @throws ImageReadError naming the file when it is missing, unreadable or not a decodable image
 *   (truncated files included).
 */
export async function decodeImageFile(file: string): Promise<RgbImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ImageReadError(file, code === 'ENOENT' ? 'file not found' : (cause as Error).message, {
      cause,
    });
  }
  return decodeImageBytes(bytes, file);
}

/**
 * Decodes encoded image bytes (JPEG, PNG, WebP, ...) to 8-bit RGB as {@link decodeImageFile} does.
 * `label` names the image in errors.
 */
export async function decodeImageBytes(bytes: Uint8Array, label: string): Promise<RgbImage> {
  try {
    // cv2.imread ignores embedded ICC profiles; converting with them shifts colours by a few levels.
    const { data, info } = await sharp(bytes, { failOn: 'warning', ignoreIcc: true })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
    };
  } catch (cause) {
    throw new ImageReadError(label, `not a decodable image (${(cause as Error).message})`, { cause });
  }
}
