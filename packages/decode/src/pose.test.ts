import { describe, expect, it } from 'vitest';
import { boxToCenterScale, transformPreds } from './affine';
import { DecodeError } from './errors';
import { createHeatmaps } from './heatmaps';
import { getFinalPreds, getMaxPreds } from './inference';
import { COCO_KEYPOINTS, MPII_KEYPOINTS } from './keypoints';
import { decodeHeatmaps, type Pose } from './pose';
import { refineKeypointsDark, refineKeypointsDarkUdp } from './refine';
import { loadDecodeFixture } from './test-utils/fixtures';
import { maxAbsDiff } from './test-utils/npy';

const { heatmaps, array } = loadDecodeFixture('64x48');
const centers = array('center');
const scales = array('scale');
const flat = (poses: Pose[]) => poses.flatMap((p) => p.keypoints.flatMap((k) => [k.x, k.y]));
const perInstance = (coords: Float64Array, udp = false) =>
  Array.from({ length: 8 }, (_, i) =>
    Array.from(
      transformPreds(
        coords.subarray(i * 34, (i + 1) * 34),
        [centers[2 * i]!, centers[2 * i + 1]!],
        [scales[2 * i]!, scales[2 * i + 1]!],
        [48, 64],
        { udp },
      ),
    ),
  ).flat();

describe('decodeHeatmaps', () => {
  it('official equals getFinalPreds and matches the fixture', () => {
    const poses = decodeHeatmaps(heatmaps, { centers, scales });
    expect(poses).toHaveLength(8);
    expect(flat(poses)).toEqual([...getFinalPreds(heatmaps, centers, scales).coords]);
    expect(maxAbsDiff(flat(poses), array('final-preds'))).toBeLessThan(1e-4);
    expect(poses[0]!.keypoints[0]!.name).toBe('nose');
    expect(
      maxAbsDiff(
        poses.flatMap((p) => p.keypoints.map((k) => k.score)),
        array('maxvals'),
      ),
    ).toBe(0);
  });

  it('argmax, dark and udp equal the low-level pipeline', () => {
    const maxPreds = getMaxPreds(heatmaps).coords;
    expect(flat(decodeHeatmaps(heatmaps, { centers, scales, method: 'argmax' }))).toEqual(
      perInstance(maxPreds),
    );
    const dark = decodeHeatmaps(heatmaps, { centers, scales, method: 'dark' });
    expect(maxAbsDiff(flat(dark), perInstance(refineKeypointsDark(maxPreds, heatmaps)))).toBe(0);
    const udp = decodeHeatmaps(heatmaps, { centers, scales, method: 'udp' });
    expect(maxAbsDiff(flat(udp), perInstance(refineKeypointsDarkUdp(maxPreds, heatmaps), true))).toBe(0);
  });

  it('rescores with box scores and reports the box', () => {
    const boxScores = [0.5, 1, 1, 1, 1, 1, 1, 1];
    const poses = decodeHeatmaps(heatmaps, { centers, scales, boxScores });
    const scores = poses[0]!.keypoints.map((k) => k.score).filter((s) => s > 0.2);
    expect(poses[0]!.score).toBeCloseTo((0.5 * scores.reduce((a, b) => a + b, 0)) / scores.length, 6);
    const box = poses[1]!.box;
    expect(box.width).toBeCloseTo(scales[2]! * 200, 9);
    expect(box.xMin + box.width / 2).toBeCloseTo(centers[2]!, 9);
  });

  it('derives center/scale from xywh boxes with the heatmap aspect ratio and padding 1.25', () => {
    const boxes = [[10, 20, 100, 200] as const];
    const one = createHeatmaps(heatmaps.data.subarray(0, 17 * 64 * 48), [1, 17, 64, 48]);
    const { center, scale } = boxToCenterScale(boxes[0], { aspectRatio: 48 / 64 });
    const viaBoxes = decodeHeatmaps(one, { boxes });
    expect(flat(viaBoxes)).toEqual(flat(decodeHeatmaps(one, { centers: [center], scales: [scale] })));
    expect(viaBoxes[0]!.box).toEqual({ xMin: 10, yMin: 20, xMax: 110, yMax: 220, width: 100, height: 200 });
  });

  it('merges a flipped batch with the official flip test', () => {
    const poses = decodeHeatmaps(heatmaps, { centers, scales, flipped: heatmaps, method: 'dark' });
    expect(poses).toHaveLength(8);
    expect(poses.every((p) => p.keypoints.every((k) => Number.isFinite(k.x) && Number.isFinite(k.y)))).toBe(
      true,
    );
  });

  it('names mismatched counts and keypoint sets', () => {
    expect(() => decodeHeatmaps(heatmaps, { centers: centers.subarray(0, 14), scales })).toThrow(
      'heatmaps have 8 instances but centers has 7',
    );
    expect(() => decodeHeatmaps(heatmaps, { centers, scales, keypoints: MPII_KEYPOINTS })).toThrow(
      'heatmaps have 17 keypoints but the keypoint set mpii has 16',
    );
    expect(() => decodeHeatmaps(heatmaps, { centers, scales, boxScores: [1] })).toThrow(
      'heatmaps have 8 instances but boxScores has 1',
    );
    expect(() => decodeHeatmaps(heatmaps, {})).toThrow(DecodeError);
  });

  it('rejects NaN in the heatmaps, the flipped heatmaps and the box scores', () => {
    const data = heatmaps.data.slice();
    data[5 * 17 * 64 * 48 + 3 * 64 * 48 + 10] = Number.NaN;
    const bad = createHeatmaps(data, heatmaps.shape);
    expect(() => decodeHeatmaps(bad, { centers, scales })).toThrow(
      /heatmaps\[5\]\[3\] has NaN at \(x=10, y=0\)/,
    );
    expect(() => decodeHeatmaps(heatmaps, { centers, scales, flipped: bad })).toThrow(
      /flipped heatmaps\[5\]\[3\]/,
    );
    expect(() =>
      decodeHeatmaps(heatmaps, { centers, scales, boxScores: [1, 1, Number.NaN, 1, 1, 1, 1, 1] }),
    ).toThrow('boxScores[2] must be finite, got NaN');
    expect(COCO_KEYPOINTS.keypoints).toHaveLength(17);
  });
});
