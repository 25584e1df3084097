import { readFileSync } from 'node:fs';
import {
  Adam,
  type NdArray,
  nchwToNhwc,
  nhwcToNchw,
  registerGradients,
  setBackend,
  tensorFromNdArray,
  toFloat32,
} from '@hrnet/core';
import { readNpyFile, readStateDictFile } from '@hrnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { referencePath } from '../../../testing/shared';
import { compareAfterStep, readIndexedFixture } from '../../../testing/tiny-fixture';
import { parseHRNetConfigYaml } from './config';
import { PoseHighResolutionNet } from './pose-hrnet';
import { hwioToOihw } from './state';
import { loadStateDict, stateDict } from './state-dict';
import { lossAndGradients } from './train-step';

/** Eval-mode forward tolerance against the official PyTorch output (max abs error). */
const FORWARD_TOLERANCE = 1e-4;

beforeAll(async () => {
  await setBackend('cpu');
  await registerGradients();
});

const tiny = (...parts: string[]) => referencePath('models', 'tiny', ...parts);

async function loadTiny(dir: string, checkpoint: string): Promise<PoseHighResolutionNet> {
  const config = parseHRNetConfigYaml(readFileSync(referencePath('models', dir, 'config.yaml'), 'utf8'));
  const net = new PoseHighResolutionNet(config);
  loadStateDict(net, await readStateDictFile(referencePath('models', dir, checkpoint)));
  return net;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

function forwardNchw(net: PoseHighResolutionNet, input: NdArray): Float32Array {
  return tf.tidy(() => {
    const x = nchwToNhwc(tensorFromNdArray(input) as tf.Tensor4D);
    return nhwcToNchw(net.predict(x)).dataSync() as Float32Array;
  });
}

describe.each([
  ['tiny', 'model.pth'],
  ['tiny', 'model-legacy.pth'],
  ['tiny', 'model-mmpose.pth'],
  ['tiny-mpii', 'model.pth'],
])('models/%s/%s', (dir, checkpoint) => {
  test(`eval forward matches the official output within ${FORWARD_TOLERANCE}`, async () => {
    const net = await loadTiny(dir, checkpoint);
    try {
      const input = await readNpyFile(referencePath('models', dir, 'input.npy'));
      const expected = await readNpyFile(referencePath('models', dir, 'output.npy'));
      const out = forwardNchw(net, input);
      const err = maxAbsDiff(out, toFloat32(expected));
      console.log(`models/${dir}/${checkpoint}: forward max abs error ${err.toExponential(2)}`);
      expect(err).toBeLessThanOrEqual(FORWARD_TOLERANCE);
    } finally {
      net.dispose();
    }
  });
});

describe('one training step (models/tiny, train mode, JointsMSELoss with target weights, Adam lr 1e-3)', () => {
  const step = JSON.parse(readFileSync(tiny('train-step.json'), 'utf8')) as { loss: number };
  let referenceGrads = new Map<string, Float32Array>();
  let net: PoseHighResolutionNet;
  let loss = Number.NaN;
  const grads = new Map<string, Float32Array>();

  beforeAll(async () => {
    referenceGrads = await readIndexedFixture('train-grads');
    net = await loadTiny('tiny', 'model.pth');
    const [images, targets, weights] = await Promise.all(
      ['train-input.npy', 'train-target.npy', 'train-target-weight.npy'].map((f) => readNpyFile(tiny(f))),
    );
    const batch = tf.tidy(() => ({
      images: nchwToNhwc(tensorFromNdArray(images!) as tf.Tensor4D),
      targets: nchwToNhwc(tensorFromNdArray(targets!) as tf.Tensor4D),
      targetWeights: tensorFromNdArray(weights!),
    }));
    const result = lossAndGradients(net, batch);
    loss = result.loss;
    const parameterKeys = [...net.state.entries.values()].filter((e) => e.kind === 'parameter');
    parameterKeys.forEach((entry, i) => {
      const g = result.gradients[i]!.dataSync() as Float32Array;
      grads.set(entry.key, entry.layout === 'conv' ? hwioToOihw(g, entry.torchShape) : Float32Array.from(g));
    });
    const adam = new Adam(net.parameters(), { lr: 1e-3 });
    adam.applyGradients(result.gradients);
    tf.dispose([...result.gradients, ...Object.values(batch)]);
    adam.dispose();
  });

  afterAll(() => net.dispose());

  test('loss within 1e-5 relative of the reference', () => {
    console.log(
      `loss ${loss} vs reference ${step.loss}: relative error ${Math.abs(loss / step.loss - 1).toExponential(2)}`,
    );
    expect(Math.abs(loss - step.loss)).toBeLessThanOrEqual(1e-5 * Math.abs(step.loss));
  });

  test('every gradient within 1e-4 of its tensor max abs', () => {
    expect([...grads.keys()].sort()).toEqual([...referenceGrads.keys()].sort());
    let worst = 0;
    for (const [key, ref] of referenceGrads) {
      const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const rel = maxAbsDiff(grads.get(key)!, ref) / (scale || 1);
      worst = Math.max(worst, rel);
      expect(rel, key).toBeLessThanOrEqual(1e-4);
    }
    console.log(`gradients: worst error relative to the tensor's max abs ${worst.toExponential(2)}`);
  });

  test('state after one Adam step within 1e-5 abs (parameters where |grad| > 1e-6), running statistics included', async () => {
    const after = stateDict(net);
    const { worst, tinyGradientFlips, failures } = await compareAfterStep(after, 1e-5);
    console.log(
      `after step: worst abs error ${worst.toExponential(2)}; elements with |grad| <= 1e-6 that differ by > 1e-5: ${tinyGradientFlips}`,
    );
    expect(failures).toEqual([]);
    const loaded = await readStateDictFile(tiny('model.pth'));
    const counters = [...after].filter(([k]) => k.endsWith('num_batches_tracked'));
    expect(counters.length).toBeGreaterThan(0);
    for (const [key, t] of counters) {
      expect((t.data as BigInt64Array)[0], key).toBe((loaded.get(key)!.data as BigInt64Array)[0]! + 1n);
    }
  });
});
