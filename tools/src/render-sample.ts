/**
 * Renders top-down pipeline samples with their targets for eyeballing: for each sample a PNG with
 * the network-input crop and its joints/skeleton (left) and the crop under the max-over-joints
 * target heatmap (right), upscaled 2x.
 *
 * Run: cd tools && npx tsx --conditions=@hrnet/source src/render-sample.ts <out-dir>
 *        [--dataset coco|mpii] [--count 4] [--seed 0] [--eval]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import {
  type Batch,
  createTopDownLoader,
  denormalizeImage,
  type JointsRecord,
  loadCocoKeypoints,
  loadMpii,
  type TopDownConfig,
} from '@hrnet/datasets/node';
import { COCO_KEYPOINTS, type KeypointSet, MPII_KEYPOINTS } from '@hrnet/decode';
import { dataPath } from '../../testing/shared';

const args = process.argv.slice(2);
const outDir = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!outDir) {
  console.error('usage: render-sample.ts <out-dir> [--dataset coco|mpii] [--count N] [--seed S] [--eval]');
  process.exit(2);
}
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : fallback;
};
const dataset = option('dataset', 'coco');
const count = Number(option('count', '4'));
const seed = Number(option('seed', '0'));
const train = !args.includes('--eval');
const ZOOM = 2;

/** A minimal RGB PNG encoder (8-bit, no filtering). */
function encodePng(rgb: Uint8Array, width: number, height: number): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (width * 3 + 1) + 1);
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function setPixel(img: Uint8Array, w: number, h: number, x: number, y: number, c: readonly number[]): void {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= w || yi >= h) return;
  img.set(c, (yi * w + xi) * 3);
}

function drawLine(
  img: Uint8Array,
  w: number,
  h: number,
  a: [number, number],
  b: [number, number],
  c: readonly number[],
): void {
  const n = Math.ceil(Math.max(Math.abs(b[0] - a[0]), Math.abs(b[1] - a[1])));
  for (let i = 0; i <= n; i++) {
    const t = n === 0 ? 0 : i / n;
    setPixel(img, w, h, a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, c);
  }
}

async function main(): Promise<void> {
  let records: JointsRecord[];
  let keypoints: KeypointSet;
  let config: TopDownConfig;
  if (dataset === 'mpii') {
    const dir = dataPath('mpii-sample');
    records = await loadMpii(join(dir, 'test_mpii.json'), { imageDir: dir });
    keypoints = MPII_KEYPOINTS;
    config = {
      imageSize: [256, 256],
      keypoints,
      train,
      augment: { scaleFactor: 0.25, rotationFactor: 30, halfBodyProb: -1 },
    };
  } else {
    const dir = dataPath('coco-sample');
    records = (await loadCocoKeypoints(join(dir, 'test_coco.json'), { imageDir: dir })).records;
    keypoints = COCO_KEYPOINTS;
    config = { train };
  }
  const loader = createTopDownLoader(records, config, {
    batchSize: count,
    seed,
    workers: 1,
    shuffle: true,
    dropLast: false,
  });
  const first = await loader.epoch(0).next();
  const batch: Batch | undefined = first.done ? undefined : first.value;
  await loader.close();
  if (!batch) throw new Error('no batch');
  const [, H, W] = batch.imageShape;
  const [, K, hh, hw] = batch.targetShape;
  mkdirSync(outDir as string, { recursive: true });
  for (let n = 0; n < batch.size; n++) {
    const crop = denormalizeImage(batch.images.subarray(n * H * W * 3, (n + 1) * H * W * 3));
    const meta = batch.meta[n]!;
    const left = Uint8Array.from(crop);
    const right = Uint8Array.from(crop);
    const joints = meta.joints;
    const weight = batch.targetWeights.subarray(n * K, (n + 1) * K);
    for (const edge of keypoints.skeleton) {
      if (weight[edge.from]! > 0 && weight[edge.to]! > 0) {
        drawLine(
          left,
          W,
          H,
          [joints[2 * edge.from]!, joints[2 * edge.from + 1]!],
          [joints[2 * edge.to]!, joints[2 * edge.to + 1]!],
          edge.color,
        );
      }
    }
    for (let k = 0; k < K; k++) {
      if (!(weight[k]! > 0)) continue;
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++)
          setPixel(left, W, H, joints[2 * k]! + dx, joints[2 * k + 1]! + dy, [255, 0, 0]);
    }
    const target = batch.targets.subarray(n * K * hh * hw, (n + 1) * K * hh * hw);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const hx = Math.min(hw - 1, Math.floor((x * hw) / W));
        const hy = Math.min(hh - 1, Math.floor((y * hh) / H));
        let v = 0;
        for (let k = 0; k < K; k++) v = Math.max(v, target[(k * hh + hy) * hw + hx]!);
        const p = (y * W + x) * 3;
        const a = 0.75 * v;
        right[p] = Math.round(right[p]! * (1 - a) + 255 * a);
        right[p + 1] = Math.round(right[p + 1]! * (1 - a) + 255 * a * 0.9);
        right[p + 2] = Math.round(right[p + 2]! * (1 - a));
      }
    }
    const outW = 2 * W * ZOOM;
    const outH = H * ZOOM;
    const png = new Uint8Array(outW * outH * 3);
    for (let y = 0; y < outH; y++) {
      for (let x = 0; x < outW; x++) {
        const panel = x < W * ZOOM ? left : right;
        const sx = Math.floor((x % (W * ZOOM)) / ZOOM);
        const sy = Math.floor(y / ZOOM);
        png.set(panel.subarray((sy * W + sx) * 3, (sy * W + sx) * 3 + 3), (y * outW + x) * 3);
      }
    }
    const file = join(outDir as string, `${dataset}-${n}.png`);
    writeFileSync(file, encodePng(png, outW, outH));
    console.log(
      `${file}: image ${meta.imageId}, rotation ${meta.rotation.toFixed(1)}, scale [${meta.scale.map((s) => s.toFixed(3))}], flipped ${meta.flipped}, visible joints ${weight.filter((w) => w > 0).length}`,
    );
  }
}

await main();
