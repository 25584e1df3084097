import { afterAll, describe, expect, it } from 'vitest';
import {
  type AffineMatrix,
  affineTransform,
  type BoxXywh,
  boxToCenterScale,
  getAffineTransform,
  getUdpWarpMatrix,
  invertAffine,
  transformPreds,
  type Vec2,
} from './affine';
import { DecodeError } from './errors';
import { loadJson } from './test-utils/fixtures';
import { maxAbsDiff } from './test-utils/npy';

interface AffineCase {
  center: Vec2;
  scale: Vec2;
  rot: number;
  output_size: Vec2;
  inv: number;
  matrix: [number[], number[]];
}
interface TransformsFixture {
  affine: AffineCase[];
  transform_preds: { coords: number[][]; center: Vec2; scale: Vec2; output_size: Vec2; result: number[][] };
}

const fixture = await loadJson<TransformsFixture>('transforms', 'transforms.json');

describe('getAffineTransform against the official get_affine_transform', () => {
  let worst = 0;
  afterAll(() => console.log(`get_affine_transform: max relative error ${worst}`));
  it('has 24 cases', () => expect(fixture.affine).toHaveLength(24));

  it.each(fixture.affine.map((c, i) => [i, c] as const))('case %i within 1e-6 relative', (_, c) => {
    const m = getAffineTransform(c.center, c.scale, c.rot, c.output_size, [0, 0], c.inv === 1);
    const expected = c.matrix.flat();
    // Relative to the largest entry: rotations leave entries like -2e-17 that are zeros up to rounding.
    const norm = Math.max(...expected.map(Math.abs));
    const err = maxAbsDiff(m, expected) / norm;
    worst = Math.max(worst, err);
    expect(err).toBeLessThan(1e-6);
  });
});

describe('affine helpers', () => {
  it('transformPreds matches the official transform_preds within 1e-4', () => {
    const t = fixture.transform_preds;
    const out = transformPreds(t.coords.flat(), t.center, t.scale, t.output_size);
    const err = maxAbsDiff(out, t.result.flat());
    console.log(`transform_preds: max abs error ${err}`);
    expect(err).toBeLessThan(1e-4);
  });

  it('invertAffine undoes getAffineTransform, and inv=true is the inverse', () => {
    const c = fixture.affine[2]!;
    const forward = getAffineTransform(c.center, c.scale, c.rot, c.output_size);
    const backward = getAffineTransform(c.center, c.scale, c.rot, c.output_size, [0, 0], true);
    const pt: Vec2 = [123.4, 56.7];
    const there = affineTransform(pt, forward);
    expect(maxAbsDiff(affineTransform(there, invertAffine(forward)), pt)).toBeLessThan(1e-9);
    expect(maxAbsDiff(affineTransform(there, backward), pt)).toBeLessThan(1e-3);
    expect(() => invertAffine([0, 0, 1, 0, 0, 1] as AffineMatrix)).toThrow(DecodeError);
  });

  it('the box corners land on the output corners and the center on the middle', () => {
    const m = getAffineTransform([100, 200], [1, 4 / 3], 0, [192, 256]);
    expect(maxAbsDiff(affineTransform([100, 200], m), [96, 128])).toBeLessThan(1e-9);
    expect(maxAbsDiff(affineTransform([0, 200 - 400 / 3], m), [0, 0])).toBeLessThan(1e-4);
  });

  it('getUdpWarpMatrix maps box edges to pixel centres 0 and size - 1', () => {
    const m = getUdpWarpMatrix([100, 50], [40, 80], 0, [48, 64]);
    expect(maxAbsDiff(affineTransform([80, 10], m), [0, 0])).toBeLessThan(1e-4);
    expect(maxAbsDiff(affineTransform([120, 90], m), [47, 63])).toBeLessThan(1e-4);
    const rotated = getUdpWarpMatrix([100, 50], [40, 80], 90, [48, 64]);
    expect(maxAbsDiff(affineTransform([100, 50], rotated), [23.5, 31.5])).toBeLessThan(1e-4);
  });

  it('transformPreds with udp maps heatmap pixels 0 and W - 1 to the box edges', () => {
    const out = transformPreds([0, 0, 47, 63], [100, 50], [0.2, 0.4], [48, 64], { udp: true });
    expect(maxAbsDiff(out, [80, 10, 120, 90])).toBeLessThan(1e-9);
  });

  it('rejects non-finite centers and scales', () => {
    expect(() => getAffineTransform([Number.NaN, 0], [1, 1], 0, [48, 64])).toThrow(
      'getAffineTransform: center must be finite, got NaN',
    );
    expect(() => getAffineTransform([0, 0], [0, 0], 0, [48, 64])).toThrow(/degenerate/);
  });
});

describe('boxToCenterScale against the official _xywh2cs (targets fixture)', async () => {
  const targets = await loadJson<{
    xywh2cs: { xywh: BoxXywh; aspect_ratio: number; center: Vec2; scale: Vec2 }[];
  }>('targets', 'targets.json');

  it.each(targets.xywh2cs.map((c, i) => [i, c] as const))('case %i', (_, c) => {
    const { center, scale } = boxToCenterScale(c.xywh, { aspectRatio: c.aspect_ratio });
    expect(maxAbsDiff(center, c.center)).toBeLessThan(1e-9);
    expect(maxAbsDiff(scale, c.scale)).toBeLessThan(1e-12);
  });
});
