import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy, type NdArray, parseNpy, setBackend, toFloat32 } from '@hrnet/core';
import { hrnetPreset, PoseHighResolutionNet, stateDict } from '@hrnet/layers';
import { saveConvertedCheckpoint } from '@hrnet/models-zoo/node';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { hrnetFails, maxAbsDiff, runHrnet } from '../../../../testing/cli';
import { randomizeWeights } from '../../../../testing/random-weights';
import { referencePath } from '../../../../testing/shared';

const tiny = (file: string) => referencePath('models', 'tiny', file);
const outDir = mkdtempSync(join(tmpdir(), 'hrnet-infer-onnx-'));
const readNpy = (path: string) => parseNpy(readFileSync(path), path);

/** Largest absolute difference of two arrays of the same shape. */
function maxNdDiff(a: NdArray, b: NdArray): number {
  expect(a.shape).toEqual(b.shape);
  return maxAbsDiff(toFloat32(a), toFloat32(b));
}

/** `hrnet infer` with the given model arguments and runtime; returns the heatmaps. */
async function infer(name: string, args: string[]): Promise<NdArray> {
  const output = join(outDir, `${name}.npy`);
  const { stderr } = await runHrnet(['infer', ...args, '--output', output], { maxBuffer: 1 << 24 });
  expect(stderr).toMatch(/written to/);
  return readNpy(output);
}

describe('hrnet infer --runtime onnx', () => {
  const model = [
    '--config',
    tiny('config.yaml'),
    '--weights',
    tiny('model.pth'),
    '--input',
    tiny('input.npy'),
  ];

  test('tiny fixture: matches output.npy and the tfjs runtime within 1e-4', async () => {
    const onnx = await infer('tiny-onnx', [...model, '--runtime', 'onnx']);
    const tfjs = await infer('tiny-tfjs', [...model, '--runtime', 'tfjs']);
    expect(maxNdDiff(onnx, readNpy(tiny('output.npy')))).toBeLessThanOrEqual(1e-4);
    expect(maxNdDiff(onnx, tfjs)).toBeLessThanOrEqual(1e-4);
  });

  test('tiny fixture with --flip-test: matches output-fliptest.npy within 1e-4', async () => {
    const onnx = await infer('tiny-onnx-flip', [...model, '--runtime', 'onnx', '--flip-test']);
    expect(maxNdDiff(onnx, readNpy(tiny('output-fliptest.npy')))).toBeLessThanOrEqual(1e-4);
  });

  describe('HRNet-W32 256x192 with seeded random weights', () => {
    const dir = join(outDir, 'w32-random');
    const input = join(outDir, 'w32-input.npy');

    beforeAll(async () => {
      await setBackend('wasm');
      const net = new PoseHighResolutionNet(hrnetPreset('w32-coco-256x192'), { seed: 11 });
      randomizeWeights(net, 11);
      await saveConvertedCheckpoint(dir, stateDict(net), net.config, { checkpoint: 'random-seed-11' });
      net.dispose();
      const data = tf.tidy(
        () => tf.randomNormal([1, 3, 256, 192], 0, 1, 'float32', 5).dataSync() as Float32Array,
      );
      writeFileSync(input, encodeNpy({ dtype: 'float32', shape: [1, 3, 256, 192], data }));
    });

    test('matches the tfjs runtime (wasm) within 1e-4', async () => {
      const args = ['--model', dir, '--input', input, '--backend', 'wasm'];
      const onnx = await infer('w32-onnx', [...args, '--runtime', 'onnx']);
      const tfjs = await infer('w32-tfjs', [...args, '--runtime', 'tfjs']);
      expect(onnx.shape).toEqual([1, 17, 64, 48]);
      expect(Math.max(...toFloat32(tfjs).map(Math.abs))).toBeGreaterThan(0.1);
      expect(maxNdDiff(onnx, tfjs)).toBeLessThanOrEqual(1e-4);
    });
  });

  test('rejects an unknown runtime', async () => {
    const error = await hrnetFails([
      'infer',
      ...model,
      '--output',
      join(outDir, 'x.npy'),
      '--runtime',
      'trt',
    ]);
    expect(error.stderr).toMatch(/--runtime trt: expected one of tfjs, onnx/);
  });
});
