/**
 * HRNet-W32 256x192 batch-1 forward on the wasm (one XNNPACK thread per core, as `setBackend('wasm')` starts it in
 * Node) and cpu backends in Node: median milliseconds, and the ratio to
 * a baseline measured in the same run (one 3x3 64->64 convolution at 64x48 on the same backend, the network's
 * most common layer shape), so figures from a noisy shared machine can be compared.
 *
 *   npm run bench:forward -- [--runs 5] [--cpu-runs 1] [--json out.json]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type BackendName, setBackend } from '@hrnet/core';
import { hrnetPreset, PoseHighResolutionNet } from '@hrnet/layers';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { randomizeWeights } from '../../testing/random-weights';
import { timeTensorOp } from './timing';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    'cpu-runs': { type: 'string', default: '1' },
    json: { type: 'string' },
  },
});

/** Forward FLOPs of HRNet-W32 at 256x192 (multiply-adds x 2), as DESIGN.md's speed anchors count them. */
const W32_GFLOP = 15.3;

interface Row {
  backend: string;
  runs: number;
  forwardMs: number;
  baselineMs: number;
  ratio: number;
  gflops: number;
}

async function measure(backend: BackendName, runs: number): Promise<Row> {
  await setBackend(backend);
  const x = tf.randomNormal([1, 64, 48, 64]) as tf.Tensor4D;
  const k = tf.randomNormal([3, 3, 64, 64], 0, 0.05) as tf.Tensor4D;
  const baselineMs = await timeTensorOp(Math.max(runs, 5), () => tf.conv2d(x, k, 1, 1));
  const net = new PoseHighResolutionNet(hrnetPreset('w32-coco-256x192'));
  // Weights of realistic magnitude: the training initialisation makes denormal activations, slow on CPUs.
  randomizeWeights(net, 1);
  const image = tf.randomNormal([1, 256, 192, 3]) as tf.Tensor4D;
  const forwardMs = await timeTensorOp(runs, () => net.predict(image));
  tf.dispose([x, k, image]);
  net.dispose();
  const threads = backend === 'wasm' ? ` (${getThreadsCount()} threads)` : '';
  return {
    backend: `${backend}${threads}`,
    runs,
    forwardMs,
    baselineMs,
    ratio: forwardMs / baselineMs,
    gflops: W32_GFLOP / (forwardMs / 1000),
  };
}

tf.enableProdMode();
const rows = [await measure('wasm', Number(values.runs)), await measure('cpu', Number(values['cpu-runs']))];
const wasm = rows[0]!;
console.log('HRNet-W32 256x192, batch 1, Node', process.version);
console.log(
  '| backend | runs | forward ms (median) | baseline conv ms | forward / baseline | vs wasm | GFLOP/s |',
);
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| ${r.backend} | ${r.runs} | ${r.forwardMs.toFixed(0)} | ${r.baselineMs.toFixed(2)} | ${r.ratio.toFixed(0)}x | ${(r.forwardMs / wasm.forwardMs).toFixed(1)}x | ${r.gflops.toFixed(1)} |`,
  );
}
if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(rows, null, 2)}\n`);
