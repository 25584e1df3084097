/**
 * Where ONNX Runtime spends the HRNet-W32 256x192 batch-1 forward: runs our export with ORT's profiler and
 * prints, per operator type, ms per run, and per convolution shape (kernel, channels, output size, with or
 * without a fused residual sum), ms per run and GFLOP/s, against the float32 FMA peak measured in the same
 * run (`fma-peak.c`).
 *
 *   npm run profile-onnx -w @hrnet/tools -- [--runs 12] [--threads 2]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setBackend } from '@hrnet/core';
import { exportOnnx, hrnetPreset, PoseHighResolutionNet } from '@hrnet/layers';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { randomizeWeights } from '../../testing/random-weights';
import { measureFmaPeak } from './fma-peak';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '12' },
    threads: { type: 'string', default: String(availableParallelism()) },
  },
});
const runs = Number(values.runs);

interface ProfileEvent {
  cat: string;
  name: string;
  dur: number;
  args: {
    op_name?: string;
    input_type_shape?: Array<{ float?: number[] }>;
    output_type_shape?: Array<{ float?: number[] }>;
  };
}

const peak = measureFmaPeak();
await setBackend('cpu');
const net = new PoseHighResolutionNet(hrnetPreset('w32-coco-256x192'));
randomizeWeights(net, 1);
const model = exportOnnx(net);
net.dispose();

const dir = mkdtempSync(join(tmpdir(), 'hrnet-ort-profile-'));
const session = await ort.InferenceSession.create(model, {
  graphOptimizationLevel: 'all',
  intraOpNumThreads: Number(values.threads),
  enableProfiling: true,
  profileFilePrefix: join(dir, 'profile'),
});
const input = new ort.Tensor(
  'float32',
  tf.randomNormal([1, 3, 256, 192], 0, 1, 'float32', 1).dataSync() as Float32Array,
  [1, 3, 256, 192],
);
const wall: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  await session.run({ input });
  wall.push(performance.now() - t0);
}
session.endProfiling();
await session.release();
const file = readdirSync(dir).find((f) => f.endsWith('.json'));
if (file === undefined) throw new Error(`ONNX Runtime wrote no profile into ${dir}`);
const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[];
rmSync(dir, { recursive: true, force: true });

const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
const byOp = new Map<string, number>();
const byConv = new Map<string, { count: number; us: number; flop: number }>();
let convFlop = 0;
let convUs = 0;
for (const e of kernels) {
  const op = e.args.op_name ?? '?';
  byOp.set(op, (byOp.get(op) ?? 0) + e.dur);
  if (op !== 'Conv') continue;
  const [cout, cin, kh, kw] = e.args.input_type_shape?.[1]?.float ?? [];
  const [n, , h, w] = e.args.output_type_shape?.[0]?.float ?? [];
  if (cout === undefined || n === undefined || cin === undefined || kh === undefined || kw === undefined)
    continue;
  const flop = 2 * cout * cin * kh * kw * n * h! * w!;
  const sum = (e.args.input_type_shape?.length ?? 0) > 3 ? ' + residual sum' : '';
  const key = `${kh}x${kw} ${cin}->${cout} at ${h}x${w}${sum}`;
  const entry = byConv.get(key) ?? { count: 0, us: 0, flop: 0 };
  byConv.set(key, { count: entry.count + 1, us: entry.us + e.dur, flop: entry.flop + flop });
  convFlop += flop;
  convUs += e.dur;
}

const sortedWall = [...wall].sort((a, b) => a - b);
const peakGflops = 'gflops' in peak ? peak.gflops : undefined;
const ofPeak = (gflops: number) =>
  peakGflops === undefined ? '-' : `${((100 * gflops) / peakGflops).toFixed(0)}%`;
console.log(
  `HRNet-W32 256x192 batch 1, onnxruntime-node ${ort.env.versions.node ?? ''}, ${values.threads} threads, ${runs} runs: ` +
    `median ${sortedWall[Math.floor((runs - 1) / 2)]!.toFixed(1)} ms. FMA peak: ${
      peakGflops === undefined ? (peak as { error: string }).error : `${peakGflops.toFixed(0)} GFLOP/s`
    }.`,
);
console.log('\n| operator | ms/run |\n|---|---|');
for (const [op, us] of [...byOp].sort((a, b) => b[1] - a[1]))
  console.log(`| ${op} | ${(us / runs / 1000).toFixed(2)} |`);
const convGflops = convFlop / convUs / 1000;
console.log(
  `\nConvolutions: ${(convFlop / runs / 1e9).toFixed(2)} GFLOP per run at ${convGflops.toFixed(0)} GFLOP/s (${ofPeak(convGflops)} of peak).`,
);
console.log('\n| convolution | per run | ms/run | GFLOP/s | of peak |\n|---|---|---|---|---|');
for (const [key, v] of [...byConv].sort((a, b) => b[1].us - a[1].us)) {
  const gflops = v.flop / v.us / 1000;
  console.log(
    `| ${key} | ${v.count / runs} | ${(v.us / runs / 1000).toFixed(2)} | ${gflops.toFixed(0)} | ${ofPeak(gflops)} |`,
  );
}
