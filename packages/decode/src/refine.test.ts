import { describe, expect, it } from 'vitest';
import { createHeatmaps } from './heatmaps';
import { getMaxPreds } from './inference';
import { gaussianBlur, refineKeypoints, refineKeypointsDark, refineKeypointsDarkUdp } from './refine';
import { loadDecodeFixture } from './test-utils/fixtures';
import { maxAbsDiff } from './test-utils/npy';

describe.each(['64x48', '96x72'] as const)('MMPose refinements on max-preds, heatmaps %s', (size) => {
  const { heatmaps, array } = loadDecodeFixture(size);
  const maxPreds = array('max-preds');

  it('refineKeypoints (quarter offset) matches refine_keypoints within 1e-4', () => {
    const err = maxAbsDiff(refineKeypoints(maxPreds, heatmaps), array('mmpose-quarter'));
    console.log(`quarter ${size}: max abs error ${err}`);
    expect(err).toBeLessThan(1e-4);
  });

  it('refineKeypointsDark matches refine_keypoints_dark (kernel 11) within 1e-4', () => {
    const err = maxAbsDiff(refineKeypointsDark(maxPreds, heatmaps, 11), array('mmpose-dark'));
    console.log(`dark ${size}: max abs error ${err}`);
    // float64 here vs float32 OpenCV blur there: the measured gap is ~5e-6 px (1e-3 allowed).
    expect(err).toBeLessThan(1e-4);
  });

  it('refineKeypointsDarkUdp matches refine_keypoints_dark_udp (kernel 11) within 1e-4', () => {
    const err = maxAbsDiff(refineKeypointsDarkUdp(maxPreds, heatmaps, 11), array('mmpose-dark-udp'));
    console.log(`dark-udp ${size}: max abs error ${err}`);
    // float64 here vs float32 OpenCV blur there: the measured gap is ~5e-6 px (1e-3 allowed).
    expect(err).toBeLessThan(1e-4);
  });

  it('does not modify its inputs', () => {
    const before = Float64Array.from(maxPreds);
    const data = heatmaps.data.slice();
    refineKeypointsDark(maxPreds, heatmaps);
    refineKeypointsDarkUdp(maxPreds, heatmaps);
    expect(maxAbsDiff(maxPreds, before)).toBe(0);
    expect(maxAbsDiff(heatmaps.data, data)).toBe(0);
  });
});

describe('DARK implementation details', () => {
  it('blurring only the stencil gives the same offsets as blurring whole maps (MMPose gaussian_blur)', () => {
    const { heatmaps } = loadDecodeFixture('64x48');
    const [n, k, h, w] = heatmaps.shape;
    const { coords } = getMaxPreds(heatmaps);
    const blurred = gaussianBlur(heatmaps, 11).data;
    const log = (m: number, x: number, y: number) =>
      Math.log(Math.max(blurred[m * h * w + y * w + x]!, 1e-10));
    const expected = Float64Array.from(coords);
    for (let m = 0; m < n * k; m++) {
      const x = coords[2 * m]!;
      const y = coords[2 * m + 1]!;
      if (!(1 < x && x < w - 2 && 1 < y && y < h - 2)) continue;
      const dx = 0.5 * (log(m, x + 1, y) - log(m, x - 1, y));
      const dy = 0.5 * (log(m, x, y + 1) - log(m, x, y - 1));
      const dxx = 0.25 * (log(m, x + 2, y) - 2 * log(m, x, y) + log(m, x - 2, y));
      const dxy =
        0.25 * (log(m, x + 1, y + 1) - log(m, x + 1, y - 1) - log(m, x - 1, y + 1) + log(m, x - 1, y - 1));
      const dyy = 0.25 * (log(m, x, y + 2) - 2 * log(m, x, y) + log(m, x, y - 2));
      const det = dxx * dyy - dxy * dxy;
      if (det === 0) continue;
      expected[2 * m] = x - (dyy * dx - dxy * dy) / det;
      expected[2 * m + 1] = y - (dxx * dy - dxy * dx) / det;
    }
    // gaussianBlur stores float32 maps, hence not bit-identical.
    expect(maxAbsDiff(refineKeypointsDark(coords, heatmaps), expected)).toBeLessThan(1e-4);
  });

  it('leaves keypoints of all-zero maps in place where MMPose would divide by zero', () => {
    const zeros = createHeatmaps(new Float32Array(2 * 16 * 16), [1, 2, 16, 16]);
    const coords = [5, 6, 7, 8];
    expect([...refineKeypointsDark(coords, zeros)]).toEqual(coords);
    expect([...refineKeypointsDarkUdp(coords, zeros)]).toEqual(coords);
  });

  it('rejects non-finite heatmaps and coordinates, and a coordinate count mismatch', () => {
    const data = new Float32Array(16 * 16);
    data[40] = Number.POSITIVE_INFINITY;
    const heatmaps = createHeatmaps(data, [1, 1, 16, 16]);
    expect(() => refineKeypointsDark([8, 8], heatmaps)).toThrow(
      /heatmaps\[0\]\[0\] has Infinity at \(x=8, y=2\)/,
    );
    const clean = createHeatmaps(new Float32Array(16 * 16), [1, 1, 16, 16]);
    expect(() => refineKeypointsDarkUdp([8, Number.NaN], clean)).toThrow(
      'keypoints[0][0] must be finite, got NaN',
    );
    expect(() => refineKeypoints([8, 8, 1, 1], clean)).toThrow(
      'keypoints has 2 points but heatmaps have 1 instances x 1 keypoints',
    );
    expect(() => refineKeypointsDark([8, 8], clean, 4)).toThrow(/positive odd integer/);
  });
});
