import { ndArrayFromTensor, nhwcToNchw, setBackend, toFloat32 } from '@hrnet/core';
import { COCO_KEYPOINTS, mergeFlipped } from '@hrnet/decode';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { predictWithFlipTest } from './flip-test';

beforeAll(async () => {
  await setBackend('cpu');
});

/** A stand-in network that is not mirror-symmetric: 4x4 average pooling, then a fixed 3 -> 17 channel mix. */
const mix = tf.randomUniform([3, 17], -1, 1, 'float32', 7);
const predict = (x: tf.Tensor4D): tf.Tensor4D =>
  tf.tidy(() => {
    const pooled = tf.avgPool(x, 4, 4, 'valid');
    const [n, h, w] = pooled.shape;
    return tf.reshape(tf.matMul(tf.reshape(pooled, [-1, 3]), mix), [n, h, w, 17]);
  });

async function nchw(t: tf.Tensor4D) {
  const out = await ndArrayFromTensor(nhwcToNchw(t));
  return { data: toFloat32(out), shape: out.shape as [number, number, number, number] };
}

describe('predictWithFlipTest', () => {
  const images = tf.randomUniform([2, 32, 24, 3], -2, 2, 'float32', 3) as tf.Tensor4D;

  test.each([true, false])('matches mergeFlipped of @hrnet/decode (shift %s)', async (shiftHeatmap) => {
    const ours = await nchw(predictWithFlipTest(predict, images, COCO_KEYPOINTS.flipPairs, { shiftHeatmap }));
    const plain = await nchw(predict(images));
    const flipped = await nchw(predict(tf.reverse(images, 2)));
    const expected = mergeFlipped(plain, flipped, COCO_KEYPOINTS.flipPairs, { shiftHeatmap });
    expect(ours.shape).toEqual([2, 17, 8, 6]);
    let max = 0;
    for (let i = 0; i < ours.data.length; i++)
      max = Math.max(max, Math.abs(ours.data[i]! - expected.data[i]!));
    expect(max).toBeLessThan(1e-6);
  });

  test('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    predictWithFlipTest(predict, images, COCO_KEYPOINTS.flipPairs).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a flip pair outside the heatmaps is an error', () => {
    expect(() => predictWithFlipTest(predict, images, [[0, 17]])).toThrow(
      /flip pair \[0, 17\] is out of range/,
    );
  });
});
