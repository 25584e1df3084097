import { describe, expect, it } from 'vitest';
import { COCO_OKS_SIGMAS, evaluateCocoKeypoints } from './coco-eval';
import { type CocoPosePrediction, cocoKeypointResults, evaluateCocoPredictions } from './coco-flow';
import type { CocoKeypointsGroundTruth } from './coco-format';

const K = COCO_OKS_SIGMAS.length;

/** Keypoints spread over a 100x100 box at (x, y), each with the given score. */
function pose(x: number, y: number, score: number): number[] {
  return Array.from({ length: K }, (_, j) => [x + (j % 4) * 25, y + Math.floor(j / 4) * 20, score]).flat();
}

describe('cocoKeypointResults (official rescoring + OKS-NMS)', () => {
  const preds: CocoPosePrediction[] = [
    { imageId: 5, keypoints: pose(0, 0, 0.8), boxScore: 0.5, area: 10000 },
    // near-duplicate of the first with a higher rescored score: suppresses it (OKS > 0.9)
    { imageId: 5, keypoints: pose(0.5, 0, 0.9), boxScore: 1, area: 10000 },
    { imageId: 3, keypoints: pose(300, 300, 0.1), boxScore: 1, area: 10000 },
    { imageId: 5, keypoints: pose(400, 0, 0.6), boxScore: 1, area: 10000 },
  ];

  it('rescores by box score x mean keypoint score above 0.2 and keeps NMS survivors, per image in first-seen order', () => {
    const results = cocoKeypointResults(preds);
    expect(results.map((r) => r.image_id)).toEqual([5, 5, 3]);
    // 17 x 0.9 / 17, 0.6, and 0 for no keypoint score above 0.2
    for (const [i, score] of [0.9, 0.6, 0].entries()) expect(results[i]!.score).toBeCloseTo(score, 15);
    expect(results[0]!.keypoints).toEqual(pose(0.5, 0, 0.9));
    expect(results.every((r) => r.category_id === 1)).toBe(true);
  });

  it('soft OKS-NMS decays overlapping poses instead of dropping them', () => {
    expect(cocoKeypointResults(preds, { softNms: true })).toHaveLength(4);
  });

  it('evaluates the NMS-ed results with COCOeval', () => {
    const gt: CocoKeypointsGroundTruth = {
      images: [{ id: 3 }, { id: 5 }],
      categories: [{ id: 1 }],
      annotations: [
        {
          id: 1,
          image_id: 5,
          category_id: 1,
          keypoints: pose(0, 0, 2),
          num_keypoints: K,
          bbox: [0, 0, 100, 100],
          area: 10000,
          iscrowd: 0,
        },
      ],
    };
    const stats = evaluateCocoPredictions(gt, preds).stats;
    expect(stats).toEqual(evaluateCocoKeypoints(gt, cocoKeypointResults(preds)).stats);
    expect(stats[5]).toBe(1);
  });
});
