/**
 * Decode throughput of @hrnet/decode: instances per second for COCO 17x64x48 heatmaps, official
 * quarter offset and DARK, each with and without the flip-test merge, against plain argmax
 * (`getMaxPreds`) measured in the same run. Single thread; median of several timed runs.
 *
 * Run: cd tools && npx tsx --conditions=@hrnet/source src/bench-decode.ts
 */
import {
  createHeatmaps,
  type DecodeOptions,
  decodeHeatmaps,
  getMaxPreds,
  type Heatmaps,
} from '@hrnet/decode';

const N = 32;
const K = 17;
const H = 64;
const W = 48;
const RUNS = 9;
const MIN_RUN_MS = 200;

/** Sigma-2 Gaussians at seeded sub-pixel locations plus small noise, like real model output. */
function syntheticHeatmaps(seed: number): Heatmaps {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const data = new Float32Array(N * K * H * W);
  for (let m = 0; m < N * K; m++) {
    const cx = 4 + random() * (W - 8);
    const cy = 4 + random() * (H - 8);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        data[(m * H + y) * W + x] =
          0.9 * Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 8) + 0.01 * (random() - 0.5);
      }
    }
  }
  return createHeatmaps(data, [N, K, H, W]);
}

const heatmaps = syntheticHeatmaps(1);
const flipped = syntheticHeatmaps(2);
const centers = Array.from({ length: N }, (_, i) => [200 + i, 300] as [number, number]);
const scales = Array.from({ length: N }, () => [1.2, 1.6] as [number, number]);

/** Median instances per second of `fn`, which decodes N instances per call. */
function measure(fn: () => unknown): number {
  for (let i = 0; i < 20; i++) fn();
  const rates: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < MIN_RUN_MS) {
      fn();
      calls++;
      elapsed = performance.now() - start;
    }
    rates.push((calls * N * 1000) / elapsed);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(RUNS / 2)]!;
}

const decode = (options: Partial<DecodeOptions>) => () =>
  decodeHeatmaps(heatmaps, { centers, scales, ...options });

const cases: [string, () => unknown][] = [
  ['argmax only (getMaxPreds), baseline', () => getMaxPreds(heatmaps)],
  ['official (quarter offset)', decode({ method: 'official' })],
  ['official + flip merge', decode({ method: 'official', flipped })],
  ['DARK', decode({ method: 'dark' })],
  ['DARK + flip merge', decode({ method: 'dark', flipped })],
];

const results = cases.map(([name, fn]) => ({ name, rate: measure(fn) }));
const baseline = results[0]!.rate;
console.log(
  `@hrnet/decode, ${N} instances x ${K}x${H}x${W} per call, median of ${RUNS} runs, ${process.version}`,
);
console.log('| method | instances/s | µs/instance | vs argmax |');
console.log('| --- | ---: | ---: | ---: |');
for (const { name, rate } of results) {
  console.log(
    `| ${name} | ${Math.round(rate).toLocaleString('en-US')} | ${(1e6 / rate).toFixed(1)} | ${(rate / baseline).toFixed(2)}x |`,
  );
}
