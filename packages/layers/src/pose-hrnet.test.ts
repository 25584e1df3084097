import { readFileSync } from 'node:fs';
import { setBackend } from '@hrnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { referencePath } from '../../../testing/shared';
import { hrnetPreset } from './config';
import { PoseHighResolutionNet } from './pose-hrnet';

beforeAll(async () => {
  await setBackend('cpu');
});

interface Manifest {
  params: number;
  state_dict: [string, number[]][];
}

describe.each([
  ['w32-coco.json', 'w32-coco-256x192', 28_536_113],
  ['w48-coco.json', 'w48-coco-256x192', 63_595_745],
  ['w32-mpii.json', 'w32-mpii-256x256', undefined],
])('manifest %s', (file, presetName, publishedCount) => {
  test(`preset ${presetName} has exactly the official state-dict names, shapes and parameter count`, () => {
    const manifest = JSON.parse(readFileSync(referencePath('manifests', file), 'utf8')) as Manifest;
    const net = new PoseHighResolutionNet(hrnetPreset(presetName));
    try {
      const ours = [...net.state.entries.values()].map((e) => [e.key, [...e.torchShape]]);
      expect(ours).toEqual(manifest.state_dict);
      expect(net.parameterCount()).toBe(manifest.params);
      if (publishedCount !== undefined) expect(net.parameterCount()).toBe(publishedCount);
    } finally {
      net.dispose();
    }
  });
});

test('predict maps NHWC images to heatmaps at 1/4 resolution and leaks no tensors across calls', () => {
  const start = tf.memory().numTensors;
  const net = new PoseHighResolutionNet(hrnetPreset('w32-mpii-256x256'));
  const images = tf.zeros([1, 64, 32, 3]) as tf.Tensor4D;
  try {
    net.predict(images).dispose(); // folds BatchNorm into the kernels once; they stay on the backend
    const before = tf.memory().numTensors;
    const out = net.predict(images);
    expect(out.shape).toEqual([1, 16, 8, 16]);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
  } finally {
    images.dispose();
    net.dispose();
  }
  expect(tf.memory().numTensors).toBe(start);
});

test('forward rejects NCHW input with a clear message', () => {
  const net = new PoseHighResolutionNet(hrnetPreset('w32-mpii-256x256'));
  try {
    expect(() => net.predict(tf.zeros([1, 3, 64, 64]) as tf.Tensor4D)).toThrow(/expects NHWC images/);
  } finally {
    net.dispose();
  }
});

test('official initialisation: conv kernels N(0, 0.001^2), BatchNorm weight 1 bias 0, running stats 0/1, seeded', () => {
  const a = new PoseHighResolutionNet(hrnetPreset('w32-mpii-256x256'), { seed: 7 });
  const b = new PoseHighResolutionNet(hrnetPreset('w32-mpii-256x256'), { seed: 7 });
  try {
    const kernel = a.state.entries.get('stage4.0.branches.3.0.conv1.weight')!.variable;
    const values = kernel.dataSync() as Float32Array;
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(1e-5);
    expect(std).toBeGreaterThan(0.00095);
    expect(std).toBeLessThan(0.00105);
    expect(b.state.entries.get('stage4.0.branches.3.0.conv1.weight')!.variable.dataSync()).toEqual(values);
    const constant = (key: string) => [...new Set(a.state.entries.get(key)!.variable.dataSync())];
    expect(constant('bn1.weight')).toEqual([1]);
    expect(constant('bn1.bias')).toEqual([0]);
    expect(constant('bn1.running_mean')).toEqual([0]);
    expect(constant('bn1.running_var')).toEqual([1]);
    expect(constant('final_layer.bias')).toEqual([0]);
  } finally {
    a.dispose();
    b.dispose();
  }
});
