/**
 * The inference benchmark suite: HRNet-W32 256x192 and W48 384x288, batch 1 and 8, in one run on this
 * machine: our tfjs forward on wasm with one XNNPACK thread per core and, in a child process, with one thread
 * (tfjs's own behaviour in Node), on cpu (one run, W32 batch 1 only: tens of seconds), our ONNX export on
 * onnxruntime-node (CPU), and ONNX Runtime on an independently exported model when one is present
 * (`$HRNET_BENCH_ONNX_W32` / `$HRNET_BENCH_ONNX_W48`, or `tools/models/hrnet-w32.onnx` / `hrnet-w48.onnx`).
 * First it measures the cores' float32 FMA peak (`fma-peak.c`). Prints median ms per image, the ratio to the
 * issue's physical-limit estimate, the share of the measured peak, and the speed-up over single-threaded wasm; then the
 * per-image pre/post-processing overhead (crop+normalise, decode official/dark, flip-test array work) against
 * the ONNX forward. Seeded random weights of realistic magnitude: the training initialisation (N(0, 0.001²)
 * kernels) drives activations into denormal floats, which slow CPUs down several times. Writes `results/bench.json`,
 * `results/bench.md` and the table in `README.md`.
 *
 *   npm run bench -- [--runs 7] [--batch8-runs 3] [--only w32]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BackendName, setBackend } from '@hrnet/core';
import { COCO_KEYPOINTS } from '@hrnet/decode';
import { exportOnnx, hrnetPreset, PoseHighResolutionNet } from '@hrnet/layers';
import {
  flipTestNchw,
  IMAGENET_NORMALIZATION,
  importOnnxRuntime,
  type NchwShape,
  OnnxHeatmapNetwork,
  type OrtModule,
  PoseEstimator,
} from '@hrnet/models-zoo';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { randomizeWeights } from '../../testing/random-weights';
import { type FmaPeak, measureFmaPeak } from './fma-peak';
import { median, timeAsync, timeTensorOp } from './timing';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    'batch8-runs': { type: 'string', default: '3' },
    only: { type: 'string' },
    /** Internal: the child process that times single-threaded wasm and prints its rows as JSON. */
    'wasm-single-thread': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const batch8Runs = Number(values['batch8-runs']);
const toolsDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The issue's estimate of this machine's fp32 throughput (2 AVX-512 cores), its physical-limit anchor. */
const PEAK_GFLOPS = 550;
/** Row labels of the two wasm paths. */
const WASM_SINGLE = 'tfjs wasm, 1 thread';
const wasmThreaded = (threads: number) => `tfjs wasm, ${threads} threads`;

interface ModelSpec {
  readonly name: 'w32' | 'w48';
  readonly preset: 'w32-coco-256x192' | 'w48-coco-384x288';
  /** Forward GFLOP (2 x multiply-adds): W32 15.3 as the issue counts it; W48 scaled by the paper's 32.9/7.1. */
  readonly gflop: number;
}

const MODELS: ModelSpec[] = [
  { name: 'w32', preset: 'w32-coco-256x192', gflop: 15.3 },
  { name: 'w48', preset: 'w48-coco-384x288', gflop: (15.3 * 32.9) / 7.1 },
];

interface Row {
  model: string;
  batch: number;
  path: string;
  runs: number;
  /** Median ms per image. */
  msPerImage: number | null;
  note?: string;
}

const rows: Row[] = [];
const log = (line: string) => process.stderr.write(`${line}\n`);

function randomImages(batch: number, height: number, width: number): Float32Array {
  return tf.tidy(
    () => tf.randomNormal([batch, 3, height, width], 0, 1, 'float32', 1).dataSync() as Float32Array,
  );
}

async function benchTfjs(
  spec: ModelSpec,
  backend: BackendName,
  batch: number,
  n: number,
  path = `tfjs ${backend}`,
): Promise<void> {
  await setBackend(backend);
  const net = new PoseHighResolutionNet(hrnetPreset(spec.preset), { seed: 1 });
  randomizeWeights(net, 1);
  const [width, height] = net.config.imageSize;
  const x = tf.randomNormal([batch, height, width, 3]) as tf.Tensor4D;
  const ms = await timeTensorOp(n, () => net.predict(x));
  x.dispose();
  net.dispose();
  rows.push({ model: spec.name, batch, path, runs: n, msPerImage: ms / batch });
  log(`${spec.name} b${batch} ${path}: ${(ms / batch).toFixed(1)} ms/image`);
}

async function benchOnnx(
  spec: ModelSpec,
  path: string,
  model: Uint8Array,
  ort: OrtModule,
  imageSize: [number, number],
): Promise<void> {
  const network = await OnnxHeatmapNetwork.create(ort, model, { executionProviders: ['cpu'] });
  const [width, height] = imageSize;
  for (const batch of [1, 8]) {
    const shape: NchwShape = [batch, 3, height, width];
    const images = randomImages(batch, height, width);
    const n = batch === 1 ? runs : batch8Runs;
    const ms = await timeAsync(n, () => network.run(images, shape));
    rows.push({ model: spec.name, batch, path, runs: n, msPerImage: ms / batch });
    log(`${spec.name} b${batch} ${path}: ${(ms / batch).toFixed(1)} ms/image`);
  }
  network.dispose();
}

function independentModel(spec: ModelSpec): string | undefined {
  const fromEnv = process.env[`HRNET_BENCH_ONNX_${spec.name.toUpperCase()}`];
  if (fromEnv !== undefined) return fromEnv;
  const local = join(toolsDir, 'models', `hrnet-${spec.name}.onnx`);
  return existsSync(local) ? local : undefined;
}

/** Per-image pre/post-processing through `PoseEstimator` (W32, ONNX network) and the flip test's array work. */
async function benchOverhead(ort: OrtModule, model: Uint8Array) {
  const network = await OnnxHeatmapNetwork.create(ort, model, { executionProviders: ['cpu'] });
  const card = {
    id: 'w32-random',
    inputSize: [192, 256] as [number, number],
    normalization: IMAGENET_NORMALIZATION,
    keypointSet: 'coco' as const,
  };
  const estimator = new PoseEstimator(card, network);
  const width = 640;
  const height = 480;
  const image = {
    width,
    height,
    data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 7) % 251),
  };
  const people = [{ box: [200, 60, 180, 400] as [number, number, number, number] }];
  const stage = {
    pre: [] as number[],
    forward: [] as number[],
    official: [] as number[],
    dark: [] as number[],
  };
  for (let i = 0; i <= runs; i++) {
    const official = await estimator.estimatePosesDetailed(image, { people, decode: 'official' });
    const dark = await estimator.estimatePosesDetailed(image, { people, decode: 'dark' });
    if (i === 0) continue;
    stage.pre.push(official.timings.preprocessMs, dark.timings.preprocessMs);
    stage.forward.push(official.timings.forwardMs, dark.timings.forwardMs);
    stage.official.push(official.timings.decodeMs);
    stage.dark.push(dark.timings.decodeMs);
  }
  // The flip test's work besides the second forward: mirroring the input, flipping back and averaging.
  const shape: NchwShape = [1, 3, 256, 192];
  const images = randomImages(1, 256, 192);
  const heatmaps = { data: new Float32Array(2 * 17 * 64 * 48), shape: [2, 17, 64, 48] as NchwShape };
  const flipMs = await timeAsync(runs * 5, () =>
    flipTestNchw(async () => heatmaps, images, shape, COCO_KEYPOINTS.flipPairs),
  );
  estimator.dispose();
  const forwardMs = median(stage.forward);
  const result = {
    forwardMs,
    cropNormalizeMs: median(stage.pre),
    decodeOfficialMs: median(stage.official),
    decodeDarkMs: median(stage.dark),
    flipTestArraysMs: flipMs,
  };
  const total = result.cropNormalizeMs + Math.max(result.decodeOfficialMs, result.decodeDarkMs) + flipMs;
  return { ...result, worstTotalMs: total, worstTotalPercentOfForward: (100 * total) / forwardMs };
}

function markdown(peak: FmaPeak | { error: string }): string {
  const measured = 'gflops' in peak ? peak.gflops : undefined;
  const lines = [
    `Median ms per image, ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, random weights. ` +
      `Limit: forward GFLOP at the issue's ${PEAK_GFLOPS} GFLOP/s estimate (W32 256x192 ` +
      `${MODELS[0]!.gflop.toFixed(1)}, W48 384x288 ${MODELS[1]!.gflop.toFixed(1)} GFLOP). ` +
      ('gflops' in peak
        ? `Measured float32 FMA peak in the same run (fma-peak.c, ${peak.threads} threads): ${peak.gflops.toFixed(0)} GFLOP/s.`
        : `FMA peak not measured: ${peak.error}.`),
    '',
    '| model | batch | path | runs | ms/image | x limit | % of FMA peak | vs tfjs wasm 1 thread |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const spec = MODELS.find((m) => m.name === r.model)!;
    const limit = (spec.gflop / PEAK_GFLOPS) * 1000;
    const single = rows.find((w) => w.model === r.model && w.batch === r.batch && w.path === WASM_SINGLE);
    const ms = r.msPerImage;
    const cells =
      ms === null
        ? ['-', '-', '-', '-']
        : [
            ms.toFixed(1),
            `${(ms / limit).toFixed(2)}x`,
            measured === undefined ? '-' : `${((100 * spec.gflop) / (ms / 1000) / measured).toFixed(0)}%`,
            single?.msPerImage ? `${(single.msPerImage / ms).toFixed(2)}x faster` : '-',
          ];
    lines.push(
      `| ${r.model.toUpperCase()} | ${r.batch} | ${r.path}${r.note ? ` (${r.note})` : ''} | ${r.runs} | ${cells.join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

/** Times single-threaded wasm (batch 1) in a child process: a process's wasm backend has one thread count. */
function benchWasmSingleThreadInChild(): void {
  const args = [
    '--import',
    'tsx',
    '--conditions=@hrnet/source',
    fileURLToPath(import.meta.url),
    '--wasm-single-thread',
    '--runs',
    String(runs),
    ...(values.only === undefined ? [] : ['--only', values.only]),
  ];
  const out = execFileSync(process.execPath, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  rows.push(...(JSON.parse(out) as Row[]));
}

const selected = MODELS.filter((spec) => values.only === undefined || values.only === spec.name);
tf.enableProdMode();
if (values['wasm-single-thread']) {
  await setBackend('wasm', { threads: 1 });
  for (const spec of selected) await benchTfjs(spec, 'wasm', 1, runs, WASM_SINGLE);
  process.stdout.write(JSON.stringify(rows));
  process.exit(0);
}
const peak = measureFmaPeak();
log(`FMA peak: ${JSON.stringify(peak)}`);
const ort = await importOnnxRuntime('onnxruntime-node');
await setBackend('wasm');
const threads = getThreadsCount();
let overhead: Awaited<ReturnType<typeof benchOverhead>> | undefined;
for (const spec of selected) {
  await setBackend('wasm');
  const net = new PoseHighResolutionNet(hrnetPreset(spec.preset), { seed: 1 });
  randomizeWeights(net, 1);
  const exported = exportOnnx(net);
  net.dispose();
  await benchOnnx(
    spec,
    'ours: ONNX export + onnxruntime-node',
    exported,
    ort,
    hrnetPreset(spec.preset).imageSize,
  );
  const independent = independentModel(spec);
  if (independent === undefined) {
    for (const batch of [1, 8]) {
      rows.push({
        model: spec.name,
        batch,
        path: 'onnxruntime, independent export',
        runs: 0,
        msPerImage: null,
        note: `skipped: set HRNET_BENCH_ONNX_${spec.name.toUpperCase()} or add tools/models/hrnet-${spec.name}.onnx`,
      });
    }
  } else {
    const bytes = new Uint8Array(readFileSync(independent));
    await benchOnnx(spec, 'onnxruntime, independent export', bytes, ort, hrnetPreset(spec.preset).imageSize);
  }
  await benchTfjs(spec, 'wasm', 1, runs, wasmThreaded(threads));
  if (spec.name === 'w32') {
    await benchTfjs(spec, 'wasm', 8, Math.min(batch8Runs, 2), wasmThreaded(threads));
  } else {
    // 8 x 384x288 crops through W48 need more than the 4 GiB a wasm32 heap can hold: tfjs-wasm aborts.
    rows.push({
      model: spec.name,
      batch: 8,
      path: wasmThreaded(threads),
      runs: 0,
      msPerImage: null,
      note: 'exceeds the 4 GiB wasm heap',
    });
  }
  if (spec.name === 'w32') {
    await benchTfjs(spec, 'cpu', 1, 1);
    overhead = await benchOverhead(ort, exported);
    log(`overhead: ${JSON.stringify(overhead)}`);
  }
}
benchWasmSingleThreadInChild();
rows.sort(
  (a, b) => MODELS.findIndex((m) => m.name === a.model) - MODELS.findIndex((m) => m.name === b.model),
);

const table = markdown(peak);
console.log(table);
if (overhead !== undefined) {
  console.log('\nPer-image pre/post-processing (W32 256x192, 640x480 image, ONNX forward):');
  console.log(JSON.stringify(overhead, null, 2));
}
const results = join(toolsDir, 'results');
writeFileSync(join(results, 'bench.json'), `${JSON.stringify({ fmaPeak: peak, rows, overhead }, null, 2)}\n`);
writeFileSync(join(results, 'bench.md'), `${table}\n`);
const readme = join(toolsDir, 'README.md');
if (existsSync(readme) && values.only === undefined) {
  const text = readFileSync(readme, 'utf8');
  const updated = text.replace(
    /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
    `<!-- bench:start -->\n${table}\n<!-- bench:end -->`,
  );
  writeFileSync(readme, updated);
}
