import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseNpy, setBackend, toFloat32 } from '@hrnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOnnxModel } from '../../../../testing/onnx';
import { referencePath, sharedDir } from '../../../../testing/shared';
import { NcnnModel } from './model';

const FIXTURES = ['ann442619', 'ann198196', 'ann230195'];

function modelFiles(size: string): { param: string; bin: Uint8Array; source: string } {
  const source = join(sharedDir(), 'models', 'pp-tinypose', `tinypose_${size}.param`);
  return {
    param: readFileSync(source, 'utf8'),
    bin: readFileSync(source.replace(/\.param$/, '.bin')),
    source,
  };
}

/** Reads a 1xCxHxW float32 reference array as an NHWC tensor. */
function nchwFixture(name: string): tf.Tensor4D {
  const nd = parseNpy(readFileSync(referencePath('pp-tinypose', `${name}.npy`)), name);
  const [n = 0, c = 0, h = 0, w = 0] = nd.shape;
  return tf.tidy(() => tf.transpose(tf.tensor4d(toFloat32(nd), [n, c, h, w]), [0, 2, 3, 1]));
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] ?? Number.NaN);
}

describe.each(['cpu', 'wasm'] as const)('PP-TinyPose 256x192 via NcnnModel (%s)', (backend) => {
  let model: NcnnModel;
  const inputs: tf.Tensor4D[] = [];
  const expected: tf.Tensor4D[] = [];

  beforeAll(async () => {
    await setBackend(backend);
    const { param, bin, source } = modelFiles('256x192');
    model = NcnnModel.load(param, bin, { source, inputShape: [256, 192, 3] });
    for (const name of FIXTURES) {
      inputs.push(nchwFixture(`input-${name}`));
      expected.push(nchwFixture(`heatmaps-${name}`));
    }
  });

  afterAll(() => {
    model.dispose();
    tf.dispose([...inputs, ...expected]);
  });

  it.each(FIXTURES.map((name, i) => [name, i] as const))(
    'reproduces the reference heatmaps of %s within 1e-4',
    (name, i) => {
      const out = model.predict(inputs[i] as tf.Tensor4D);
      expect(out.shape).toEqual([1, 64, 48, 17]);
      const err = maxAbsDiff(out, expected[i] as tf.Tensor4D);
      console.log(`[${backend}] ${name}: max abs error ${err.toExponential(3)}`);
      expect(err).toBeLessThan(1e-4);
      out.dispose();
    },
  );

  it('runs a batch of 3 like the 3 single runs, without leaking tensors', () => {
    const before = tf.memory().numTensors;
    const batch = tf.concat(inputs);
    const out = model.predict(batch);
    expect(out.shape).toEqual([3, 64, 48, 17]);
    for (const [i, single] of tf.split(out, 3).entries()) {
      expect(maxAbsDiff(single, expected[i] as tf.Tensor4D)).toBeLessThan(1e-4);
      single.dispose();
    }
    tf.dispose([batch, out]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('PP-TinyPose 128x96 via NcnnModel', () => {
  it('yields 17 heatmaps of 32x24', async () => {
    await setBackend('cpu');
    const { param, bin, source } = modelFiles('128x96');
    const model = NcnnModel.load(param, bin, { source, inputShape: [128, 96, 3] });
    const out = model.predict(tf.zeros([2, 128, 96, 3]));
    expect(out.shape).toEqual([2, 32, 24, 17]);
    expect(Array.from(out.dataSync()).every(Number.isFinite)).toBe(true);
    out.dispose();
    expect(() => model.predict(tf.zeros([1, 256, 192, 3]))).toThrow(/expected input \[N, 128, 96, 3\]/);
    model.dispose();
  });
});

describe('PP-TinyPose 256x192 exported to ONNX (NcnnModel.toOnnx) on onnxruntime-node', () => {
  it('reproduces the reference heatmaps within 1e-4 for a batch of the three fixtures', async () => {
    await setBackend('cpu');
    const { param, bin, source } = modelFiles('256x192');
    const model = NcnnModel.load(param, bin, { source, inputShape: [256, 192, 3] });
    const onnx = model.toOnnx();
    model.dispose();
    const read = (name: string) => parseNpy(readFileSync(referencePath('pp-tinypose', `${name}.npy`)), name);
    const inputs = FIXTURES.map((name) => toFloat32(read(`input-${name}`)));
    const batch = new Float32Array(inputs.reduce((n, a) => n + a.length, 0));
    for (const [i, a] of inputs.entries()) batch.set(a, i * a.length);
    const heatmaps = await runOnnxModel(onnx, batch, [3, 3, 256, 192]);
    expect(heatmaps.dims).toEqual([3, 17, 64, 48]);
    const data = heatmaps.data;
    const size = 17 * 64 * 48;
    for (const [i, name] of FIXTURES.entries()) {
      const expected = toFloat32(read(`heatmaps-${name}`));
      let err = 0;
      for (let j = 0; j < size; j++) err = Math.max(err, Math.abs(data[i * size + j]! - expected[j]!));
      console.log(`[onnx] ${name}: max abs error ${err.toExponential(3)}`);
      expect(err).toBeLessThan(1e-4);
    }
  });
});
