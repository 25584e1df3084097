import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setBackend } from '@hrnet/core';
import { decodeImageFile } from '@hrnet/datasets/node';
import type { Pose } from '@hrnet/decode';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dataPath, referencePath, sharedDir } from '../../../../testing/shared';
import { getModelCard } from '../zoo/cards';
import { networkFromFiles } from './network';
import { PoseEstimator } from './pose-estimator';

interface ReferenceCase {
  annotation_id: number;
  image: string;
  center: [number, number];
  scale: [number, number];
}
interface ReferenceResult {
  image_id: number;
  keypoints: number[];
  score: number;
}

const card = getModelCard('pp-tinypose-256x192');
const reference = JSON.parse(readFileSync(referencePath('pp-tinypose', 'pp-tinypose.json'), 'utf8')) as {
  cases: ReferenceCase[];
};
const referenceResults = JSON.parse(
  readFileSync(referencePath('pp-tinypose', 'results-gt-boxes.json'), 'utf8'),
) as ReferenceResult[];

let estimator: PoseEstimator;

beforeAll(async () => {
  await setBackend('wasm');
  const dir = join(sharedDir(), 'models', 'pp-tinypose');
  const files = new Map(
    ['tinypose_256x192.param', 'tinypose_256x192.bin'].map((f) => [
      f,
      new Uint8Array(readFileSync(join(dir, f))),
    ]),
  );
  estimator = new PoseEstimator(card, networkFromFiles(card, files));
});

afterAll(() => estimator.dispose());

/** The reference result of the same image whose keypoints lie closest to the pose. */
function closestReference(imageId: number, pose: Pose): { result: ReferenceResult; distance: number } {
  const candidates = referenceResults.filter((r) => r.image_id === imageId);
  const scored = candidates.map((result) => ({
    result,
    distance: Math.max(
      ...pose.keypoints.map((k, i) =>
        Math.hypot(k.x - result.keypoints[3 * i]!, k.y - result.keypoints[3 * i + 1]!),
      ),
    ),
  }));
  return scored.sort((a, b) => a.distance - b.distance)[0]!;
}

describe('PoseEstimator with PP-TinyPose on COCO samples', () => {
  test.each(reference.cases.map((c) => [c.annotation_id, c] as const))(
    'annotation %i: keypoints and score equal the reference pipeline (official decode)',
    async (_, c) => {
      const image = await decodeImageFile(dataPath('coco-sample', c.image));
      const [pose] = await estimator.estimatePoses(image, { people: [{ center: c.center, scale: c.scale }] });
      const { result, distance } = closestReference(Number.parseInt(c.image, 10), pose!);
      console.log(
        `annotation ${c.annotation_id}: max keypoint distance to the reference ${distance.toExponential(2)} px`,
      );
      expect(distance).toBeLessThan(1e-3);
      pose!.keypoints.forEach((k, i) => {
        expect(Math.abs(k.score - result.keypoints[3 * i + 2]!)).toBeLessThan(1e-4);
      });
      expect(Math.abs(pose!.score - result.score)).toBeLessThan(1e-4);
    },
  );

  test('boxes, the whole image, flip test and DARK all give 17 named keypoints inside the image', async () => {
    const image = await decodeImageFile(dataPath('coco-sample', '000000000785.jpg'));
    const box = { box: [280, 43, 250, 350] as const, score: 0.9 };
    const plain = await estimator.estimatePoses(image, { people: [box] });
    const flipped = await estimator.estimatePoses(image, { people: [box], flipTest: true, decode: 'dark' });
    const whole = await estimator.estimatePoses(image);
    for (const pose of [...plain, ...flipped, ...whole]) {
      expect(pose.keypoints.map((k) => k.name)).toContain('left_wrist');
      expect(pose.keypoints).toHaveLength(17);
      for (const k of pose.keypoints) {
        expect(k.x).toBeGreaterThanOrEqual(0);
        expect(k.x).toBeLessThan(image.width);
        expect(k.y).toBeGreaterThanOrEqual(0);
        expect(k.y).toBeLessThan(image.height);
      }
    }
    const moved = plain[0]!.keypoints.map((k, i) =>
      Math.hypot(k.x - flipped[0]!.keypoints[i]!.x, k.y - flipped[0]!.keypoints[i]!.y),
    );
    expect(Math.max(...moved)).toBeGreaterThan(0);
    expect(Math.max(...moved)).toBeLessThan(20);
  });

  test('RGBA ImageData-like input and RGB tensors give the same poses as RGB bytes', async () => {
    const image = await decodeImageFile(dataPath('coco-sample', '000000000785.jpg'));
    const rgba = new Uint8ClampedArray(image.width * image.height * 4);
    for (let i = 0, j = 0; i < image.data.length; i += 3, j += 4) {
      rgba.set(image.data.subarray(i, i + 3), j);
      rgba[j + 3] = 255;
    }
    const people = [{ box: [280, 43, 250, 350] as const }];
    const fromBytes = await estimator.estimatePoses(image, { people });
    const fromRgba = await estimator.estimatePoses(
      { data: rgba, width: image.width, height: image.height } as ImageData,
      {
        people,
      },
    );
    const tensor = tf.tensor3d(Int32Array.from(image.data), [image.height, image.width, 3], 'int32');
    const fromTensor = await estimator.estimatePoses(tensor, { people });
    tensor.dispose();
    expect(fromRgba).toEqual(fromBytes);
    expect(fromTensor).toEqual(fromBytes);
  });

  test('bad input gets a clear error', async () => {
    await expect(
      estimator.estimatePoses({ data: new Uint8Array(10), width: 4, height: 4 } as never),
    ).rejects.toThrow(/image data has 10 bytes, expected 4x4x3/);
    await expect(estimator.estimatePoses(tf.zeros([4, 4]) as never)).rejects.toThrow(/RGB \[H, W, 3\]/);
  });
});

test('estimatePosesDetailed gives the poses of estimatePoses, their heatmaps, crops and stage timings', async () => {
  const image = await decodeImageFile(dataPath('coco-sample', '000000197388.jpg'));
  const people = [
    { box: [139.41, 102.25, 222.39, 241.57] as const },
    { box: [287.17, 61.52, 74.88, 165.61] as const },
  ];
  const detailed = await estimator.estimatePosesDetailed(image, { people });
  expect(detailed.poses).toEqual(await estimator.estimatePoses(image, { people }));
  expect(detailed.heatmaps.shape).toEqual([2, 17, 64, 48]);
  expect(detailed.instances).toHaveLength(2);
  for (const t of Object.values(detailed.timings)) expect(t).toBeGreaterThanOrEqual(0);
  expect(detailed.timings.forwardMs).toBeGreaterThan(0);
});
