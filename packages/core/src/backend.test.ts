import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, test } from 'vitest';
import { BackendError, registerGradients, setBackend } from './backend';

afterAll(async () => {
  await setBackend('cpu');
});

describe('setBackend', () => {
  test.each(['cpu', 'wasm'] as const)('%s registers and computes in Node', async (name) => {
    await setBackend(name);
    expect(tf.getBackend()).toBe(name);
    const y = tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, 1);
    expect(Array.from(await y.data()).slice(0, 4)).toEqual([4, 6, 6, 4]);
  });

  test('an unknown backend is rejected with the list of known ones', async () => {
    await expect(setBackend('metal' as never)).rejects.toThrow(
      /unknown backend 'metal'; expected one of cpu, wasm/,
    );
  });

  test('webgl in Node says it needs a browser', async () => {
    await expect(setBackend('webgl')).rejects.toThrow(BackendError);
    await expect(setBackend('webgl')).rejects.toThrow(/needs a browser/);
  });

  test('tensorflow without tfjs-node installed says what to install', async () => {
    await expect(setBackend('tensorflow')).rejects.toThrow(/npm i @tensorflow\/tfjs-node/);
  });

  test('webgpu either starts on a GPU or fails with a BackendError, never a crash', async () => {
    try {
      await setBackend('webgpu');
      expect(tf.getBackend()).toBe('webgpu');
    } catch (error) {
      expect(error).toBeInstanceOf(BackendError);
    }
  });
});

test('registerGradients makes tf.grad work for convolutions', async () => {
  await setBackend('cpu');
  await registerGradients();
  // 3x3 stride-2 pad-1 windows cover rows/columns 0..1 and 1..3: row and column counts are 1,2,1,1.
  const g = tf.grad((x: tf.Tensor) =>
    tf.sum(tf.conv2d(x as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 2, 1)),
  );
  const dx = g(tf.ones([1, 4, 4, 1]));
  expect(Array.from(await dx.data())).toEqual([1, 2, 1, 1, 2, 4, 2, 2, 1, 2, 1, 1, 1, 2, 1, 1]);
});
