import { readFileSync } from 'node:fs';
import { nchwToNhwc, nhwcToNchw, setBackend, tensorFromNdArray } from '@hrnet/core';
import { readNpyFile, readStateDictFile } from '@hrnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runOnnxModel } from '../../../../testing/onnx';
import { randomizeWeights } from '../../../../testing/random-weights';
import { referencePath } from '../../../../testing/shared';
import { hrnetPreset, parseHRNetConfigYaml } from '../config';
import { PoseHighResolutionNet } from '../pose-hrnet';
import { loadStateDict } from '../state-dict';
import { exportOnnx } from './export';

/** Max abs difference allowed between ONNX Runtime and the tfjs forward / the official output. */
const TOLERANCE = 1e-4;

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/** The tfjs eval forward of NCHW data, as NCHW. */
function tfjsForward(net: PoseHighResolutionNet, data: Float32Array, shape: number[]): Float32Array {
  return tf.tidy(() => {
    const x = nchwToNhwc(tf.tensor4d(data, shape as [number, number, number, number]));
    return nhwcToNchw(net.predict(x)).dataSync() as Float32Array;
  });
}

describe('exportOnnx', () => {
  afterAll(() => tf.disposeVariables());

  describe('tiny fixture', () => {
    beforeAll(async () => {
      await setBackend('cpu');
    });

    test(`ONNX Runtime matches the tfjs forward and the official output within ${TOLERANCE}`, async () => {
      const tiny = (name: string) => referencePath('models', 'tiny', name);
      const net = new PoseHighResolutionNet(parseHRNetConfigYaml(readFileSync(tiny('config.yaml'), 'utf8')));
      loadStateDict(net, await readStateDictFile(tiny('model.pth')));
      const input = await readNpyFile(tiny('input.npy'));
      const expected = await readNpyFile(tiny('output.npy'));
      const data = tensorFromNdArray(input).dataSync() as Float32Array;
      const onnx = await runOnnxModel(exportOnnx(net), data, [...input.shape]);
      expect(onnx.dims).toEqual([...expected.shape]);
      const official = tensorFromNdArray(expected).dataSync() as Float32Array;
      expect(maxAbsDiff(onnx.data, official)).toBeLessThan(TOLERANCE);
      expect(maxAbsDiff(onnx.data, tfjsForward(net, data, [...input.shape]))).toBeLessThan(TOLERANCE);
      net.dispose();
    });
  });

  describe('HRNet-W32 256x192, seeded random weights', () => {
    beforeAll(async () => {
      // The W32 tfjs forward takes seconds on wasm, tens of seconds on cpu.
      await setBackend('wasm');
    });

    test(`ONNX Runtime matches the tfjs forward within ${TOLERANCE} at batch 2 (dynamic batch)`, async () => {
      const net = new PoseHighResolutionNet(hrnetPreset('w32-coco-256x192'), { seed: 7 });
      randomizeWeights(net, 7);
      const shape = [2, 3, 256, 192];
      const data = tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', 3).dataSync() as Float32Array);
      const model = exportOnnx(net);
      const onnx = await runOnnxModel(model, data, shape);
      expect(onnx.dims).toEqual([2, 17, 64, 48]);
      const reference = tfjsForward(net, data, shape);
      // Heatmaps of a meaningful size, so that the tolerance means something.
      expect(maxAbs(reference)).toBeGreaterThan(0.1);
      expect(maxAbsDiff(onnx.data, reference)).toBeLessThan(TOLERANCE);
      net.dispose();
    });
  });
});
