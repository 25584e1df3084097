/**
 * Top-down pipeline throughput of @hrnet/datasets: decoded (sharp), augmented (half-body, scale,
 * rotation, flip), cropped (OpenCV-exact bilinear), normalized and target-generated samples per
 * second at 256x192 (COCO, sigma 2), on the calling thread and with 1 and 2 worker threads, against
 * JPEG decoding alone measured in the same run. Data: the 12 COCO sample annotations, repeated.
 *
 * Run: cd tools && npx tsx --conditions=@hrnet/source src/bench-pipeline.ts
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  createTopDownLoader,
  decodeImageFile,
  type JointsRecord,
  loadCocoKeypoints,
  type RgbImage,
  Rng,
  resolveTopDownConfig,
  topDownSample,
} from '@hrnet/datasets/node';
import { dataPath } from '../../testing/shared';

const REPEAT = 8;
const BATCH = 32;
const EPOCHS = 5;

async function timeDecode(records: readonly JointsRecord[]): Promise<number> {
  for (const r of records.slice(0, 4)) await decodeImageFile(r.image);
  const t0 = performance.now();
  for (const r of records) await decodeImageFile(r.image);
  return records.length / ((performance.now() - t0) / 1000);
}

/** JPEG decoding with `inFlight` decodes outstanding (sharp runs them on the libuv pool). */
async function timeDecodeParallel(records: readonly JointsRecord[], inFlight: number): Promise<number> {
  const t0 = performance.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < records.length) await decodeImageFile((records[next++] as JointsRecord).image);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return records.length / ((performance.now() - t0) / 1000);
}

/** Augment + crop + normalize + target on pre-decoded images (no decoding), calling thread. */
async function timeTransformOnly(records: readonly JointsRecord[]): Promise<number> {
  const images = new Map<string, RgbImage>();
  for (const r of records) if (!images.has(r.image)) images.set(r.image, await decodeImageFile(r.image));
  const config = resolveTopDownConfig({ train: true });
  const run = (seed: number): void => {
    records.forEach((r, i) => {
      topDownSample(r, images.get(r.image) as RgbImage, config, new Rng(seed, i));
    });
  };
  run(0);
  const t0 = performance.now();
  for (let e = 1; e <= EPOCHS; e++) run(e);
  return (EPOCHS * records.length) / ((performance.now() - t0) / 1000);
}

async function timeLoader(records: readonly JointsRecord[], workers: number): Promise<number> {
  const loader = createTopDownLoader(
    records,
    { train: true },
    { batchSize: BATCH, workers, seed: 1, prefetch: 2 },
  );
  try {
    for await (const _ of loader.epoch(0)); // warm-up: worker start, JIT
    let samples = 0;
    const t0 = performance.now();
    for (let e = 1; e <= EPOCHS; e++) for await (const b of loader.epoch(e)) samples += b.size;
    return samples / ((performance.now() - t0) / 1000);
  } finally {
    await loader.close();
  }
}

const dir = dataPath('coco-sample');
const { records: base } = await loadCocoKeypoints(join(dir, 'test_coco.json'), { imageDir: dir });
const records = Array.from({ length: REPEAT }, () => base).flat();
const jpeg = await timeDecode(records);
const rows: Array<[string, number]> = [
  ['JPEG decode only (sharp, 1 in flight)', jpeg],
  ['JPEG decode only (sharp, 2 in flight)', await timeDecodeParallel(records, 2)],
  [
    'augment + crop + normalize + target only (pre-decoded, calling thread)',
    await timeTransformOnly(records),
  ],
];
for (const workers of [0, 1, 2]) {
  const label =
    workers === 0
      ? 'pipeline, calling thread'
      : `pipeline, ${workers} worker thread${workers > 1 ? 's' : ''}`;
  rows.push([label, await timeLoader(records, workers)]);
}
console.log(
  `top-down pipeline, 256x192, COCO sigma 2, batch ${BATCH}, ${records.length} samples/epoch, ${availableParallelism()} cores, node ${process.version}`,
);
console.log('| configuration | samples/s | vs decode only |');
console.log('|---|---:|---:|');
for (const [label, rate] of rows)
  console.log(`| ${label} | ${rate.toFixed(1)} | ${(rate / jpeg).toFixed(2)}x |`);
