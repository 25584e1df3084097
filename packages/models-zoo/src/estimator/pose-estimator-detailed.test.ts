import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setBackend } from '@hrnet/core';
import { decodeImageFile } from '@hrnet/datasets/node';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { dataPath, sharedDir } from '../../../../testing/shared';
import { getModelCard } from '../zoo/cards';
import { networkFromFiles } from './network';
import { PoseEstimator } from './pose-estimator';

const card = getModelCard('pp-tinypose-256x192');
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
