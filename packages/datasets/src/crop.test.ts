import { type AffineMatrix, getAffineTransform, type Vec2 } from '@hrnet/decode';
import { describe, expect, it } from 'vitest';
import { warpAffine } from './crop';
import { decodeImageFile } from './image-node';
import { dataPath, readJsonFile, readNpy, referencePath } from './test-utils';

interface AffineCase {
  center: Vec2;
  scale: Vec2;
  rot: number;
  output_size: Vec2;
  matrix: [number[], number[]];
}
interface Transforms {
  affine: AffineCase[];
  crops_of: string;
  crop_cases: number[];
  crop_note: string;
}

const fixture = readJsonFile<Transforms>(referencePath('transforms', 'transforms.json'));

describe('warpAffine vs cv2.warpAffine(INTER_LINEAR)', async () => {
  const image = await decodeImageFile(dataPath('coco-sample', fixture.crops_of));

  it.each(fixture.crop_cases)('crop case %i matches within mean 0.5 / max 2 levels', (i) => {
    const c = fixture.affine[i] as AffineCase;
    const trans = getAffineTransform(c.center, c.scale, c.rot, c.output_size);
    const m = c.matrix.flat();
    for (let j = 0; j < 6; j++) expect(trans[j]).toBeCloseTo(m[j] as number, 9);
    const [w, h] = c.output_size;
    const crop = warpAffine(image, trans, w, h);
    const ref = readNpy(referencePath('transforms', `crop-${i}.npy`));
    expect(ref.shape).toEqual([h, w, 3]);
    let sum = 0;
    let max = 0;
    for (let p = 0; p < crop.length; p++) {
      const d = Math.abs((crop[p] as number) - (ref.data[p] as number));
      sum += d;
      max = Math.max(max, d);
    }
    const mean = sum / crop.length;
    console.log(`crop-${i} (rot ${c.rot}, ${w}x${h}): mean abs diff ${mean.toFixed(4)}, max ${max}`);
    expect(mean).toBeLessThanOrEqual(0.5);
    expect(max).toBeLessThanOrEqual(2);
  });

  it('flip option equals warping the mirrored image', () => {
    const c = fixture.affine[2] as AffineCase;
    const trans = getAffineTransform(c.center, c.scale, c.rot, c.output_size);
    const { width, height, data } = image;
    const mirrored = new Uint8Array(data.length);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const s = (y * width + (width - 1 - x)) * 3;
        mirrored.set(data.subarray(s, s + 3), (y * width + x) * 3);
      }
    }
    const [w, h] = c.output_size;
    const a = warpAffine({ data: mirrored, width, height }, trans, w, h);
    const b = warpAffine(image, trans, w, h, { flip: true });
    expect(Buffer.from(b).equals(Buffer.from(a))).toBe(true);
  });

  it('fills outside pixels with 0 and rejects a singular matrix', () => {
    const shift: AffineMatrix = [1, 0, -1e5, 0, 1, 0];
    expect(warpAffine(image, shift, 8, 8).every((v) => v === 0)).toBe(true);
    expect(() => warpAffine(image, [0, 0, 0, 0, 0, 0], 8, 8)).toThrow(/singular/);
  });
});
