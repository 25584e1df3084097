import { boxToCenterScale, type Vec2 } from '@hrnet/decode';
import { describe, expect, it } from 'vitest';
import { generateTarget } from './target';
import { readJsonFile, readNpy, referencePath } from './test-utils';

interface TargetCase {
  image_size: Vec2;
  heatmap_size: Vec2;
  sigma: number;
  joints: number[][];
  joints_vis: number[][];
  files: [string, string];
}
interface Xywh2csCase {
  xywh: [number, number, number, number];
  aspect_ratio: number;
  center: [number, number];
  scale: [number, number];
}
const fixture = readJsonFile<{ generate_target: TargetCase[]; xywh2cs: Xywh2csCase[] }>(
  referencePath('targets', 'targets.json'),
);

function caseInputs(c: TargetCase): { joints: number[]; vis: number[] } {
  return {
    joints: c.joints.flatMap((j) => [j[0] as number, j[1] as number]),
    vis: c.joints_vis.map((v) => v[0] as number),
  };
}

describe('generateTarget (official generate_target)', () => {
  it.each(fixture.generate_target.map((c) => [c.files[0], c] as const))('%s within 1e-6', (_, c) => {
    const { joints, vis } = caseInputs(c);
    const { target, targetWeight } = generateTarget(joints, vis, {
      imageSize: c.image_size,
      heatmapSize: c.heatmap_size,
      sigma: c.sigma,
    });
    const ref = readNpy(referencePath('targets', c.files[0]));
    const refWeight = readNpy(referencePath('targets', c.files[1]));
    expect(ref.shape).toEqual([vis.length, c.heatmap_size[1], c.heatmap_size[0]]);
    let maxErr = 0;
    for (let i = 0; i < target.length; i++)
      maxErr = Math.max(maxErr, Math.abs((target[i] as number) - (ref.data[i] as number)));
    console.log(`${c.files[0]} (sigma ${c.sigma}): max abs error ${maxErr.toExponential(2)}`);
    expect(maxErr).toBeLessThanOrEqual(1e-6);
    expect(Array.from(targetWeight)).toEqual(Array.from(refWeight.data));
  });

  it('NHWC layout is the transpose of NCHW', () => {
    const c = fixture.generate_target[0] as TargetCase;
    const { joints, vis } = caseInputs(c);
    const opts = { imageSize: c.image_size, heatmapSize: c.heatmap_size, sigma: c.sigma };
    const chw = generateTarget(joints, vis, opts).target;
    const hwc = generateTarget(joints, vis, { ...opts, layout: 'NHWC' }).target;
    const [w, h] = c.heatmap_size;
    const k = vis.length;
    for (let j = 0; j < k; j++) {
      for (let p = 0; p < w * h; p++) expect(hwc[p * k + j]).toBe(chw[j * w * h + p]);
    }
  });

  it('UDP target peaks at the exact sub-pixel joint and uses (image - 1) / (heatmap - 1) strides', () => {
    const imageSize: Vec2 = [192, 256];
    const heatmapSize: Vec2 = [48, 64];
    // x = 100.3 px -> 100.3 * 47 / 191 = 24.68 heatmap px; y = 50 -> 50 * 63 / 255 = 12.35.
    const { target, targetWeight } = generateTarget([100.3, 50], [1], {
      imageSize,
      heatmapSize,
      sigma: 2,
      encoding: 'udp',
    });
    const hx = (100.3 * 47) / 191;
    const hy = (50 * 63) / 255;
    const at = (x: number, y: number) => target[y * 48 + x] as number;
    expect(targetWeight[0]).toBe(1);
    for (const [x, y] of [
      [24, 12],
      [25, 12],
      [24, 13],
      [22, 10],
    ] as const) {
      expect(at(x, y)).toBeCloseTo(Math.exp(-((x - hx) ** 2 + (y - hy) ** 2) / 8), 6);
    }
  });

  it('weights: invisible joints 0, out-of-heatmap joints 0, joint weights multiplied', () => {
    const opts = { imageSize: [192, 256] as Vec2, heatmapSize: [48, 64] as Vec2, sigma: 2 };
    const { targetWeight, target } = generateTarget([50, 50, 50, 50, -40, 10, 400, 10], [1, 0, 1, 1], {
      ...opts,
      jointsWeight: [1.5, 1, 1, 1],
    });
    expect(Array.from(targetWeight)).toEqual([1.5, 0, 0, 0]);
    expect(target.subarray(48 * 64).every((v) => v === 0)).toBe(true);
    // mu = int(50 / 4 + 0.5) = 13: peak 1 there.
    expect(target[13 * 48 + 13]).toBe(1);
  });
});

describe('boxToCenterScale (official _xywh2cs)', () => {
  it.each(fixture.xywh2cs.map((c, i) => [i, c] as const))('case %i within 1e-6', (_, c) => {
    const { center, scale } = boxToCenterScale(c.xywh, { aspectRatio: c.aspect_ratio });
    for (let j = 0; j < 2; j++) {
      expect(Math.abs((center[j] as number) - (c.center[j] as number))).toBeLessThanOrEqual(1e-6);
      expect(Math.abs((scale[j] as number) - (c.scale[j] as number))).toBeLessThanOrEqual(1e-6);
    }
  });
});
