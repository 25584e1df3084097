import { describe, expect, it } from 'vitest';
import { COCO_KEYPOINTS } from './keypoints';
import { type OksCandidate, oksIou, oksNms, rescorePose, softOksNms } from './nms';
import { loadJson } from './test-utils/fixtures';

interface NmsFixture {
  oks_nms: {
    input: { keypoints: number[][]; score: number; area: number }[];
    thresh: number;
    keep: number[];
    keep_soft: number[];
  };
}

const { oks_nms: fixture } = await loadJson<NmsFixture>('coco-eval', 'coco-eval.json');
const candidates: OksCandidate[] = fixture.input.map((p) => ({
  keypoints: p.keypoints.flat(),
  score: p.score,
  area: p.area,
}));

describe('OKS-NMS against the official nms.py', () => {
  it('oksNms keeps exactly the fixture keep-list', () => {
    expect(oksNms(candidates, fixture.thresh)).toEqual(fixture.keep);
  });

  it('softOksNms keeps exactly the fixture keep-list (at most 20)', () => {
    expect(softOksNms(candidates, fixture.thresh)).toEqual(fixture.keep_soft);
  });

  it('accepts keypoints as {x, y, score} objects', () => {
    const objects = fixture.input.map((p) => ({
      keypoints: p.keypoints.map(([x, y, score]) => ({ x: x!, y: y!, score: score! })),
      score: p.score,
      area: p.area,
    }));
    expect(oksNms(objects, fixture.thresh)).toEqual(fixture.keep);
  });
});

describe('oksIou', () => {
  const g = candidates[0]!.keypoints;
  it('is 1 for identical poses and decreases with distance', () => {
    const [same, near, far] = oksIou(
      g,
      [
        g,
        Array.from(g as number[], (v, i) => (i % 3 === 0 ? v + 5 : v)),
        Array.from(g as number[], (v) => v + 200),
      ],
      1e4,
      [1e4, 1e4, 1e4],
    );
    expect(same).toBe(1);
    expect(near).toBeLessThan(1);
    expect(near).toBeGreaterThan(far!);
  });

  it('with inVisThre counts only keypoints visible in d (the official behaviour)', () => {
    const d = Array.from(g as number[], (v, i) => (i % 3 === 2 ? 0 : i === 0 ? v + 50 : v));
    expect(oksIou(g, [d], 1e4, [1e4], { inVisThre: 0.2 })).toEqual([0]);
  });

  it('rejects keypoint counts that differ from the sigmas', () => {
    expect(() => oksIou([1, 2, 1], [[1, 2, 1]], 1, [1])).toThrow('g has 1 keypoints but sigmas has 17');
    expect(() => oksIou([1, 2, 1], [[1, 2, 1]], 1, [1], { sigmas: [0.1] })).not.toThrow();
  });
});

describe('rescorePose', () => {
  it('multiplies the box score by the mean of keypoint scores above 0.2', () => {
    expect(rescorePose([0.1, 0.5, 0.9, 0.2], 0.5)).toBeCloseTo(0.35, 12);
    expect(rescorePose([0.1, 0.2], 0.9)).toBe(0);
    expect(COCO_KEYPOINTS.sigmas).toHaveLength(17);
  });
});
