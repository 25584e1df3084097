import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataPath, referencePath } from '../../../../testing/shared';
import { COCO_OKS_SIGMAS, computeOks, evaluateCocoKeypoints } from './coco-eval';
import {
  type CocoKeypointsAnnotation,
  type CocoKeypointsGroundTruth,
  type CocoKeypointsResult,
  parseCocoKeypointsGroundTruth,
  parseCocoKeypointsResults,
} from './coco-format';
import { MetricsError } from './errors';

const readJson = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));

interface CocoEvalFixture {
  readonly cases: readonly { readonly results: string; readonly stats: readonly number[] }[];
}

function expectStats(actual: readonly number[], expected: readonly number[]): number {
  expect(actual).toHaveLength(10);
  const deviation = Math.max(...actual.map((a, i) => Math.abs(a - expected[i]!)));
  expect(deviation).toBeLessThanOrEqual(1e-9);
  return deviation;
}

describe('evaluateCocoKeypoints against pycocotools', () => {
  const gt = parseCocoKeypointsGroundTruth(
    readJson(dataPath('coco-sample', 'test_coco.json')),
    'test_coco.json',
  );
  const fixture = readJson(referencePath('coco-eval', 'coco-eval.json')) as CocoEvalFixture;

  it.each(fixture.cases.map((c, i) => [i, c] as const))('results-%i.json: all 10 stats', (_, c) => {
    const results = parseCocoKeypointsResults(readJson(referencePath('coco-eval', c.results)), c.results);
    expectStats(evaluateCocoKeypoints(gt, results).stats, c.stats);
  });

  it('PP-TinyPose results on ground-truth boxes', () => {
    const tiny = readJson(referencePath('pp-tinypose', 'pp-tinypose.json')) as {
      coco_sample_gt_boxes: { stats: number[] };
      results_gt_boxes: string;
    };
    const results = parseCocoKeypointsResults(readJson(referencePath('pp-tinypose', tiny.results_gt_boxes)));
    expectStats(evaluateCocoKeypoints(gt, results).stats, tiny.coco_sample_gt_boxes.stats);
  });
});

/** A visible-keypoint person whose keypoints lie on a grid inside the box. */
function person(id: number, imageId: number, x: number, y: number, size: number): CocoKeypointsAnnotation {
  const keypoints = COCO_OKS_SIGMAS.flatMap((_, j) => [
    x + ((j % 4) * size) / 4,
    y + (Math.floor(j / 4) * size) / 5,
    2,
  ]);
  return {
    id,
    image_id: imageId,
    category_id: 1,
    keypoints,
    num_keypoints: 17,
    bbox: [x, y, size, size],
    area: size * size * 0.6,
    iscrowd: 0,
  };
}

function detection(ann: CocoKeypointsAnnotation, score: number, shift = 0): CocoKeypointsResult {
  return {
    image_id: ann.image_id,
    category_id: 1,
    keypoints: ann.keypoints.map((v, i) => (i % 3 === 2 ? 0.9 : v + shift)),
    score,
  };
}

function dataset(annotations: CocoKeypointsAnnotation[], images = [1, 2]): CocoKeypointsGroundTruth {
  return { images: images.map((id) => ({ id })), categories: [{ id: 1 }], annotations };
}

describe('evaluateCocoKeypoints edge cases', () => {
  const a = person(1, 1, 100, 100, 200);
  const b = person(2, 2, 50, 60, 150);

  it('scores perfect detections 1 and empty results 0', () => {
    const gt = dataset([a, b]);
    const perfect = evaluateCocoKeypoints(gt, [detection(a, 0.9), detection(b, 0.8)]).stats;
    // no medium-sized person: AP (M) and AR (M) are -1
    expect(perfect).toEqual([1, 1, 1, -1, 1, 1, 1, 1, -1, 1]);
    expect(evaluateCocoKeypoints(gt, []).stats).toEqual([0, 0, 0, -1, 0, 0, 0, 0, -1, 0]);
  });

  it('images without detections count as misses', () => {
    const stats = evaluateCocoKeypoints(dataset([a, b]), [detection(a, 0.9)]).stats;
    expect(stats[5]).toBe(0.5);
    // precision is 1 up to recall 0.5 (51 of 101 recall points), 0 after
    expect(stats[0]).toBeCloseTo(51 / 101, 15);
  });

  it('ignores detections matched to crowd regions and to annotations with num_keypoints 0', () => {
    const crowd = { ...person(3, 2, 50, 60, 150), iscrowd: 1 };
    const empty = { ...person(4, 2, 50, 60, 150), num_keypoints: 0, keypoints: a.keypoints.map(() => 0) };
    for (const ignored of [crowd, empty]) {
      // the higher-scored detection lands on the ignored region and is itself ignored
      const { stats } = evaluateCocoKeypoints(dataset([a, ignored]), [detection(a, 0.5), detection(b, 0.9)]);
      // precision 1 / (1 + np.spacing(1)) as in pycocotools
      for (const [i, v] of [1, 1, 1, -1, 1, 1, 1, 1, -1, 1].entries()) expect(stats[i]).toBeCloseTo(v, 15);
    }
    // without the ignore region the same higher-scored detection is a false positive
    const stats = evaluateCocoKeypoints(dataset([a]), [detection(a, 0.5), detection(b, 0.9)]).stats;
    // precision after the interpolation is 0.5 at every recall point
    expect(stats[0]).toBeCloseTo(0.5, 15);
  });

  it('GT without labelled keypoints measures OKS to its enlarged box', () => {
    const noKpts = { keypoints: a.keypoints.map(() => 0), bbox: [10, 20, 30, 40], area: 900 };
    const inside = { keypoints: COCO_OKS_SIGMAS.flatMap(() => [0, 0, 1]) };
    const outside = { keypoints: COCO_OKS_SIGMAS.flatMap(() => [80, 20, 1]) };
    // the box [10, 20, 30, 40] grows to x in [-20, 70], y in [-20, 100]
    const oks = computeOks([inside, outside], [noKpts]);
    expect(oks[0]).toBe(1);
    const vars = COCO_OKS_SIGMAS.map((s) => (2 * s) ** 2);
    const expected = vars.reduce((sum, v) => sum + Math.exp(-(100 / v / (900 + 2 ** -52) / 2)), 0) / 17;
    expect(oks[1]).toBeCloseTo(expected, 15);
  });

  it('keeps only the 20 highest-scoring detections per image', () => {
    const gt = dataset([a], [1]);
    const decoys = Array.from({ length: 20 }, () => detection(b, 0.9, 0));
    const decoysOnImage1 = decoys.map((d) => ({ ...d, image_id: 1 }));
    expect(evaluateCocoKeypoints(gt, [...decoysOnImage1, detection(a, 0.1)]).stats[5]).toBe(0);
    expect(evaluateCocoKeypoints(gt, [...decoysOnImage1.slice(1), detection(a, 0.1)]).stats[5]).toBe(1);
  });

  it('rejects results on unknown images and wrong keypoint counts', () => {
    const gt = dataset([a]);
    expect(() => evaluateCocoKeypoints(gt, [{ ...detection(a, 1), image_id: 7 }])).toThrow(/image_id 7/);
    expect(() => evaluateCocoKeypoints(gt, [{ ...detection(a, 1), keypoints: [1, 2, 3] }])).toThrow(
      MetricsError,
    );
  });
});

describe('COCO format validation', () => {
  it('names the missing field', () => {
    expect(() => parseCocoKeypointsGroundTruth({ images: [], categories: [] }, 'ann.json')).toThrow(
      "ann.json: missing 'annotations'",
    );
    const entry = { image_id: 1, category_id: 1, keypoints: [1, 2, 3], score: 1 };
    const { keypoints: _, ...noKeypoints } = entry;
    expect(() => parseCocoKeypointsResults([entry, entry, entry, noKeypoints], 'results.json')).toThrow(
      'results.json: entry 3 has no keypoints',
    );
    expect(() => parseCocoKeypointsResults({}, 'results.json')).toThrow(/expected an array/);
    expect(() =>
      parseCocoKeypointsGroundTruth(
        {
          images: [{ id: 1 }],
          categories: [{ id: 1 }],
          annotations: [{ ...person(1, 1, 0, 0, 10), area: 'x' }],
        },
        'ann.json',
      ),
    ).toThrow('ann.json: annotation 0: area must be a finite number, got "x"');
  });
});
