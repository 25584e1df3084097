import { describe, expect, it } from 'vitest';
import { DecodeError } from './errors';
import { createHeatmaps, type Heatmaps } from './heatmaps';
import { getFinalPreds, getMaxPreds } from './inference';
import { loadDecodeFixture } from './test-utils/fixtures';
import { maxAbsDiff } from './test-utils/npy';

describe.each(['64x48', '96x72'] as const)('official inference, heatmaps %s', (size) => {
  const { heatmaps, array } = loadDecodeFixture(size);

  it('getMaxPreds matches get_max_preds exactly, maxvals included', () => {
    const preds = getMaxPreds(heatmaps);
    expect(maxAbsDiff(preds.coords, array('max-preds'))).toBe(0);
    expect(maxAbsDiff(preds.maxvals, array('maxvals'))).toBe(0);
  });

  it('getFinalPreds with POST_PROCESS matches get_final_preds within 1e-4', () => {
    const preds = getFinalPreds(heatmaps, array('center'), array('scale'));
    const err = maxAbsDiff(preds.coords, array('final-preds'));
    console.log(`final-preds ${size}: max abs error ${err}`);
    expect(err).toBeLessThan(1e-4);
    expect(maxAbsDiff(preds.maxvals, array('maxvals'))).toBe(0);
  });

  it('getFinalPreds without POST_PROCESS matches within 1e-4', () => {
    const preds = getFinalPreds(heatmaps, array('center'), array('scale'), { postProcess: false });
    const err = maxAbsDiff(preds.coords, array('final-preds-nopost'));
    console.log(`final-preds-nopost ${size}: max abs error ${err}`);
    expect(err).toBeLessThan(1e-4);
  });
});

describe('getMaxPreds semantics and errors', () => {
  const map = (values: number[], h: number, w: number): Heatmaps => createHeatmaps(values, [1, 1, h, w]);

  it('masks keypoints whose maximum is <= 0 to (0, 0) and keeps the score', () => {
    const preds = getMaxPreds(map([-3, -1, -2, -5], 2, 2));
    expect([...preds.coords]).toEqual([0, 0]);
    expect(preds.maxvals[0]).toBe(-1);
    expect([...getMaxPreds(map([0, 0, 0, 0], 2, 2)).coords]).toEqual([0, 0]);
  });

  it('takes the first index on ties, like np.argmax', () => {
    expect([...getMaxPreds(map([0, 2, 2, 1, 2, 0], 2, 3)).coords]).toEqual([1, 0]);
  });

  it('rejects NaN and Infinity with the instance, keypoint and pixel', () => {
    const values = new Float32Array(2 * 3 * 4 * 5);
    values[(1 * 3 + 2) * 20 + 2 * 5 + 3] = Number.NaN;
    expect(() => getMaxPreds(createHeatmaps(values, [2, 3, 4, 5]))).toThrow(
      /heatmaps\[1\]\[2\] has NaN at \(x=3, y=2\)/,
    );
    values.fill(0);
    values[7] = Number.NEGATIVE_INFINITY;
    expect(() => getMaxPreds(createHeatmaps(values, [2, 3, 4, 5]))).toThrow(DecodeError);
  });

  it('rejects a shape that does not match the buffer', () => {
    expect(() => createHeatmaps(new Float32Array(10), [1, 2, 2, 2])).toThrow(
      'heatmaps has 10 values but shape [1, 2, 2, 2] needs 8',
    );
  });

  it('names mismatched center/scale counts', () => {
    const { heatmaps, array } = loadDecodeFixture('64x48');
    const centers = array('center').slice(0, 14);
    expect(() => getFinalPreds(heatmaps, centers, array('scale'))).toThrow(
      'heatmaps have 8 instances but centers has 7',
    );
    const scales = [...array('scale')];
    scales[3] = Number.NaN;
    expect(() => getFinalPreds(heatmaps, array('center'), scales)).toThrow(/scales\[1\] must be finite/);
  });
});
