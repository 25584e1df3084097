import { setBackend } from '@hrnet/core';
import { COCO_KEYPOINTS, MPII_KEYPOINTS } from '@hrnet/decode';
import { PoseHighResolutionNet } from '@hrnet/layers';
import { beforeAll, describe, expect, test } from 'vitest';
import { getModelCard, isHRNetConfig, listModelCards, UnknownModelError } from './cards';

const IDS = [
  'hrnet-w32-coco-256x192',
  'hrnet-w32-coco-384x288',
  'hrnet-w48-coco-256x192',
  'hrnet-w48-coco-384x288',
  'hrnet-w32-mpii-256x256',
  'hrnet-w48-mpii-256x256',
  'pp-tinypose-256x192',
  'pp-tinypose-128x96',
];

beforeAll(async () => {
  await setBackend('cpu');
});

describe('model cards', () => {
  test('the zoo lists every card once, by id', () => {
    expect(listModelCards().map((c) => c.id)).toEqual(IDS);
    for (const id of IDS) expect(getModelCard(id).id).toBe(id);
  });

  test('an unknown id names the known ones', () => {
    expect(() => getModelCard('hrnet-w64')).toThrow(UnknownModelError);
    expect(() => getModelCard('hrnet-w64')).toThrow(
      /unknown model 'hrnet-w64'; known models: hrnet-w32-coco-256x192, .*pp-tinypose-128x96/,
    );
  });

  test('input, heatmap and keypoint counts agree with the config', () => {
    for (const card of listModelCards()) {
      const keypoints = (card.keypointSet === 'coco' ? COCO_KEYPOINTS : MPII_KEYPOINTS).keypoints.length;
      expect(card.heatmapSize).toEqual([card.inputSize[0] / 4, card.inputSize[1] / 4]);
      if (isHRNetConfig(card.config)) {
        expect(card.config.numJoints).toBe(keypoints);
        expect(card.inputSize).toEqual(card.config.imageSize);
      }
    }
    expect(getModelCard('hrnet-w32-coco-256x192').inputSize).toEqual([192, 256]);
    expect(getModelCard('pp-tinypose-128x96').inputSize).toEqual([96, 128]);
  });

  test('published accuracy cites its source', () => {
    const w32 = getModelCard('hrnet-w32-coco-256x192');
    expect(w32.accuracy).toContainEqual(
      expect.objectContaining({ metric: 'AP', value: 74.4, weights: 'official', split: 'COCO val2017' }),
    );
    for (const card of listModelCards()) {
      expect(card.accuracy.length).toBeGreaterThan(0);
      for (const a of card.accuracy) expect(a.source).toMatch(/README|\.md/);
    }
  });

  test('MMPose files carry the sha256 prefix of their name, PP-TinyPose files a full sum', () => {
    const mmpose = getModelCard('hrnet-w48-mpii-256x256').weights[0]!;
    expect(mmpose.name).toBe('mmpose');
    expect(mmpose.files[0]).toEqual({
      fileName: 'hrnet_w48_mpii_256x256-92cab7bd_20200812.pth',
      url: 'https://download.openmmlab.com/mmpose/top_down/hrnet/hrnet_w48_mpii_256x256-92cab7bd_20200812.pth',
      sha256Prefix: '92cab7bd',
    });
    const official = getModelCard('hrnet-w48-mpii-256x256').weights[1]!;
    expect(official.files[0]).toEqual({ fileName: 'pose_hrnet_w48_256x256.pth' });
    for (const file of getModelCard('pp-tinypose-256x192').weights[0]!.files) {
      expect(file.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(file.url).toMatch(/^https:\/\/raw\.githubusercontent\.com\/.*\/tinypose_256x192\.(param|bin)$/);
    }
  });

  test.each([
    'hrnet-w32-coco-256x192',
    'hrnet-w32-mpii-256x256',
    'hrnet-w48-coco-256x192',
    'hrnet-w48-mpii-256x256',
  ])('%s: parameter count equals the built network', (id) => {
    const card = getModelCard(id);
    if (!isHRNetConfig(card.config)) throw new Error('expected an HRNet card');
    const net = new PoseHighResolutionNet(card.config);
    try {
      expect(net.parameterCount()).toBe(card.parameters);
    } finally {
      net.dispose();
    }
  });
});
