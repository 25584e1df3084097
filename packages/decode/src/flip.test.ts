import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flipBack, mergeFlipped, shiftHeatmaps } from './flip';
import { createHeatmaps, type Heatmaps } from './heatmaps';
import { COCO_KEYPOINTS } from './keypoints';
import { loadDecodeFixture } from './test-utils/fixtures';
import { maxAbsDiff } from './test-utils/npy';

/** `heatmaps[..., ::-1]`: the model output for a flipped input, as the fixture built it. */
function mirror(heatmaps: Heatmaps): Heatmaps {
  const [n, k, h, w] = heatmaps.shape;
  const out = new Float32Array(heatmaps.data.length);
  for (let row = 0; row < n * k * h; row++) {
    for (let x = 0; x < w; x++) out[row * w + x] = heatmaps.data[row * w + w - 1 - x]!;
  }
  return createHeatmaps(out, heatmaps.shape);
}

describe('flip test against the official flip_back and SHIFT_HEATMAP', () => {
  const { heatmaps, array } = loadDecodeFixture('64x48');
  const flipped = mirror(heatmaps);

  it('flipBack matches flip_back exactly', () => {
    expect(maxAbsDiff(flipBack(flipped, COCO_KEYPOINTS.flipPairs).data, array('flip-back'))).toBe(0);
  });

  it('shiftHeatmaps after flipBack matches the shifted fixture exactly', () => {
    const shifted = shiftHeatmaps(flipBack(flipped, COCO_KEYPOINTS.flipPairs));
    expect(maxAbsDiff(shifted.data, array('flip-back-shifted'))).toBe(0);
  });

  it('mergeFlipped averages with the shifted flip-back in one pass', () => {
    const expected = array('flip-back-shifted').map((v, i) => Math.fround((heatmaps.data[i]! + v) * 0.5));
    expect(maxAbsDiff(mergeFlipped(heatmaps, flipped, COCO_KEYPOINTS.flipPairs).data, expected)).toBe(0);
    const unshifted = array('flip-back').map((v, i) => Math.fround((heatmaps.data[i]! + v) * 0.5));
    const merged = mergeFlipped(heatmaps, flipped, COCO_KEYPOINTS.flipPairs, { shiftHeatmap: false });
    expect(maxAbsDiff(merged.data, unshifted)).toBe(0);
  });

  it('rejects mismatched shapes and bad flip pairs', () => {
    const small = createHeatmaps(new Float32Array(17 * 4 * 4), [1, 17, 4, 4]);
    expect(() => mergeFlipped(heatmaps, small, COCO_KEYPOINTS.flipPairs)).toThrow(
      'flipped heatmaps have shape [1, 17, 4, 4] but heatmaps have [8, 17, 64, 48]',
    );
    expect(() => flipBack(small, [[0, 17]])).toThrow('flip pair [0, 17] is out of range for 17 keypoints');
  });
});

describe('flip properties', () => {
  it('flipping back twice is the identity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer(),
        (n, k, h, w, seed) => {
          let state = seed >>> 0;
          const data = Float32Array.from({ length: n * k * h * w }, () => {
            state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
            return state / 2 ** 32 - 0.5;
          });
          const pairs: [number, number][] = [];
          for (let i = 0; i + 1 < k; i += 2) pairs.push([i, i + 1]);
          const heatmaps = createHeatmaps(data, [n, k, h, w]);
          expect(flipBack(flipBack(heatmaps, pairs), pairs).data).toEqual(data);
        },
      ),
    );
  });
});
