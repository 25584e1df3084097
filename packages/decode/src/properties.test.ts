import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHeatmaps } from './heatmaps';
import { getMaxPreds } from './inference';
import { refineKeypointsDark, refineKeypointsDarkUdp } from './refine';

/** A sigma-2 Gaussian peak at (x, y) on an H x W map, as the official target generator draws it. */
function gaussian(h: number, w: number, x: number, y: number, peak = 1, sigma = 2): Float32Array {
  const map = new Float32Array(h * w);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++)
      map[j * w + i] = peak * Math.exp(-((i - x) ** 2 + (j - y) ** 2) / (2 * sigma ** 2));
  }
  return map;
}

const H = 64;
const W = 48;
// Far enough from the border for the kernel-11 blur not to see the zero padding.
const MARGIN = 6;

describe('sub-pixel properties', () => {
  it('DARK decodes a Gaussian rendered at a known sub-pixel location within 0.05 px', () => {
    fc.assert(
      fc.property(
        fc.double({ min: MARGIN, max: W - 1 - MARGIN, noNaN: true }),
        fc.double({ min: MARGIN, max: H - 1 - MARGIN, noNaN: true }),
        fc.double({ min: 0.05, max: 2, noNaN: true }),
        (x, y, peak) => {
          const heatmaps = createHeatmaps(gaussian(H, W, x, y, peak), [1, 1, H, W]);
          const [dx, dy] = refineKeypointsDark(getMaxPreds(heatmaps).coords, heatmaps);
          expect(Math.hypot(dx! - x, dy! - y)).toBeLessThan(0.05);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('DARK-UDP also lands within 0.05 px of the Gaussian centre', () => {
    fc.assert(
      fc.property(
        fc.double({ min: MARGIN, max: W - 1 - MARGIN, noNaN: true }),
        fc.double({ min: MARGIN, max: H - 1 - MARGIN, noNaN: true }),
        (x, y) => {
          const heatmaps = createHeatmaps(gaussian(H, W, x, y), [1, 1, H, W]);
          const [dx, dy] = refineKeypointsDarkUdp(getMaxPreds(heatmaps).coords, heatmaps);
          expect(Math.hypot(dx! - x, dy! - y)).toBeLessThan(0.05);
        },
      ),
      { numRuns: 300 },
    );
  });
});
