/**
 * PP-TinyPose 256x192 (ncnn .param/.bin run as tfjs ops by `NcnnModel`) on the wasm (one thread per core) and
 * cpu backends in Node, and exported to ONNX (`NcnnModel.toOnnx`) on onnxruntime-node: median milliseconds per
 * forward at batch 1 and 8, and per crop at batch 8.
 *
 *   npx tsx --conditions=@hrnet/source src/bench-ncnn.ts [--runs 5] [--cpu-runs 2] [--shared DIR]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BackendName, setBackend } from '@hrnet/core';
import { NcnnModel } from '@hrnet/models-zoo';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { timeAsync, timeTensorOp } from './timing';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'cpu-runs': { type: 'string', default: '2' },
    shared: {
      type: 'string',
      default: process.env.HRNET_SHARED ?? resolve(import.meta.dirname, '../../../shared'),
    },
  },
});

const paramPath = join(values.shared, 'models', 'pp-tinypose', 'tinypose_256x192.param');
const paramText = readFileSync(paramPath, 'utf8');
const bin = readFileSync(paramPath.replace(/\.param$/, '.bin'));

async function measure(backend: BackendName, runs: number): Promise<void> {
  await setBackend(backend);
  const model = NcnnModel.load(paramText, bin, { source: paramPath, inputShape: [256, 192, 3] });
  for (const batch of [1, 8]) {
    const images = tf.randomNormal([batch, 256, 192, 3]) as tf.Tensor4D;
    const ms = await timeTensorOp(runs, () => model.predict(images));
    images.dispose();
    console.log(`| ${backend} | ${batch} | ${runs} | ${ms.toFixed(1)} | ${(ms / batch).toFixed(1)} |`);
  }
  model.dispose();
}

async function measureOnnx(runs: number): Promise<void> {
  await setBackend('cpu');
  const model = NcnnModel.load(paramText, bin, { source: paramPath, inputShape: [256, 192, 3] });
  const session = await ort.InferenceSession.create(model.toOnnx(), { graphOptimizationLevel: 'all' });
  model.dispose();
  for (const batch of [1, 8]) {
    const data = tf.tidy(() => tf.randomNormal([batch, 3, 256, 192]).dataSync() as Float32Array);
    const input = new ort.Tensor('float32', data, [batch, 3, 256, 192]);
    const ms = await timeAsync(runs, () => session.run({ input }));
    console.log(`| onnxruntime-node | ${batch} | ${runs} | ${ms.toFixed(1)} | ${(ms / batch).toFixed(1)} |`);
  }
  await session.release();
}

tf.enableProdMode();
console.log('PP-TinyPose 256x192 via NcnnModel, Node', process.version);
console.log('| backend | batch | runs | forward ms (median) | ms per crop |');
console.log('|---|---|---|---|---|');
await measureOnnx(Number(values.runs));
await measure('wasm', Number(values.runs));
await measure('cpu', Number(values['cpu-runs']));
