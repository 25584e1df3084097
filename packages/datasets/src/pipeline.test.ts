import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MPII_KEYPOINTS } from '@hrnet/decode';
import { afterAll, describe, expect, it } from 'vitest';
import type { Batch } from './batcher';
import { ImageReadError } from './errors';
import { decodeImageFile } from './image-node';
import { createTopDownLoader, loadCocoKeypoints, loadMpii, type TopDownLoader } from './loader-node';
import { IMAGENET_MEAN, IMAGENET_STD } from './normalize';
import { resolveTopDownConfig, topDownSample } from './pipeline';
import type { JointsRecord } from './record';
import { Rng } from './rng';
import { dataPath } from './test-utils';

const cocoDir = dataPath('coco-sample');
const mpiiDir = dataPath('mpii-sample');
const loaders: TopDownLoader[] = [];
afterAll(async () => {
  await Promise.all(loaders.map((l) => l.close()));
});

async function collect(loader: TopDownLoader, epoch = 0): Promise<Batch[]> {
  loaders.push(loader);
  const out: Batch[] = [];
  for await (const b of loader.epoch(epoch)) out.push(b);
  return out;
}

describe('topDownSample', () => {
  it('evaluation crop: normalized image, targets peaked at the transformed joints', async () => {
    const { records } = await loadCocoKeypoints(join(cocoDir, 'test_coco.json'), { imageDir: cocoDir });
    const record = records[0]!;
    const image = await decodeImageFile(record.image);
    const s = topDownSample(record, image, resolveTopDownConfig());
    expect(s.image).toHaveLength(256 * 192 * 3);
    expect(s.target).toHaveLength(17 * 64 * 48);
    expect(s.meta.rotation).toBe(0);
    expect(s.meta.flipped).toBe(false);
    // black border pixels normalize to -mean/std.
    expect(Math.min(...s.image.subarray(0, 3))).toBeGreaterThanOrEqual(
      -IMAGENET_MEAN[0] / IMAGENET_STD[0] - 1e-6,
    );
    for (let k = 0; k < 17; k++) {
      if (s.targetWeight[k] === 0) continue;
      const mx = Math.trunc(s.meta.joints[2 * k]! / 4 + 0.5);
      const my = Math.trunc(s.meta.joints[2 * k + 1]! / 4 + 0.5);
      expect(s.target[k * 64 * 48 + my * 48 + mx]).toBe(1);
    }
  });

  it('training flip keeps joints on the mirrored person', async () => {
    const { records } = await loadCocoKeypoints(join(cocoDir, 'test_coco.json'), { imageDir: cocoDir });
    const record = records[0]!;
    const image = await decodeImageFile(record.image);
    const config = resolveTopDownConfig({
      train: true,
      augment: { rotationProb: 0, scaleFactor: 0, halfBodyProb: 0 },
    });
    let seed = 0;
    let s = topDownSample(record, image, config, new Rng(seed));
    while (!s.meta.flipped) s = topDownSample(record, image, config, new Rng(++seed));
    const plain = topDownSample(record, image, resolveTopDownConfig());
    // Mirrored crop of the same box: the left shoulder (5) lands where the right shoulder (6) was,
    // mirrored about the crop centre 96 (dst_w * 0.5, the official half-pixel convention).
    expect(s.meta.joints[10]!).toBeCloseTo(192 - plain.meta.joints[12]!, 3);
    expect(s.meta.joints[11]!).toBeCloseTo(plain.meta.joints[13]!, 3);
  });
});

describe('TopDownLoader', () => {
  it('batches COCO ground truth with the right shapes (2 workers, NHWC targets)', async () => {
    const { records } = await loadCocoKeypoints(join(cocoDir, 'test_coco.json'), { imageDir: cocoDir });
    const loader = createTopDownLoader(
      records,
      { train: true, targetLayout: 'NHWC' },
      { batchSize: 4, workers: 2, seed: 1 },
    );
    expect(loader.batchesPerEpoch).toBe(3);
    const batches = await collect(loader);
    expect(batches).toHaveLength(3);
    for (const b of batches) {
      expect(b.size).toBe(4);
      expect(b.imageShape).toEqual([4, 256, 192, 3]);
      expect(b.images).toHaveLength(4 * 256 * 192 * 3);
      expect(b.targetShape).toEqual([4, 64, 48, 17]);
      expect(b.targets).toHaveLength(4 * 64 * 48 * 17);
      expect(b.targetWeights).toHaveLength(4 * 17);
      expect(b.meta).toHaveLength(4);
    }
    expect(new Set(batches.flatMap((b) => b.indices)).size).toBe(12);
  });

  it('seeded runs are reproducible, with or without workers; epochs differ', async () => {
    const { records } = await loadCocoKeypoints(join(cocoDir, 'test_coco.json'), { imageDir: cocoDir });
    const opts = { batchSize: 6, seed: 42 };
    const a = await collect(createTopDownLoader(records, { train: true }, { ...opts, workers: 2 }));
    const b = await collect(createTopDownLoader(records, { train: true }, { ...opts, workers: 0 }));
    const c = await collect(createTopDownLoader(records, { train: true }, { ...opts, workers: 1 }), 1);
    expect(a.map((x) => x.indices)).toEqual(b.map((x) => x.indices));
    a.forEach((x, i) => {
      const y = b[i]!;
      expect(x.meta.map((m) => [m.rotation, m.scale, m.flipped])).toEqual(
        y.meta.map((m) => [m.rotation, m.scale, m.flipped]),
      );
      expect(Buffer.from(x.images.buffer).equals(Buffer.from(y.images.buffer))).toBe(true);
      expect(Buffer.from(x.targets.buffer).equals(Buffer.from(y.targets.buffer))).toBe(true);
    });
    expect(c.map((x) => x.indices)).not.toEqual(a.map((x) => x.indices));
  });

  it('batches MPII and COCO detections in file order for evaluation', async () => {
    const records = await loadMpii(join(mpiiDir, 'test_mpii.json'), { imageDir: mpiiDir });
    const mpii = await collect(
      createTopDownLoader(
        records,
        { imageSize: [256, 256], keypoints: MPII_KEYPOINTS },
        { batchSize: 2, workers: 1 },
      ),
    );
    expect(mpii.map((b) => b.size)).toEqual([2, 2, 1]);
    expect(mpii[0]!.imageShape).toEqual([2, 256, 256, 3]);
    expect(mpii[0]!.targetShape).toEqual([2, 16, 64, 64]);
    expect(mpii.flatMap((b) => b.indices)).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('image errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hrnet-img-'));
  const corrupt = join(dir, 'corrupt.jpg');
  writeFileSync(corrupt, Buffer.from('this is not a jpeg'));
  const truncated = join(dir, 'truncated.jpg');
  copyFileSync(join(cocoDir, '000000000785.jpg'), truncated);
  const missing = join(dir, 'missing.jpg');

  it('names a missing file', async () => {
    const err = await decodeImageFile(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageReadError);
    expect((err as ImageReadError).file).toBe(missing);
    expect((err as Error).message).toBe(`cannot read image ${missing}: file not found`);
  });

  it('names a corrupt or truncated file', async () => {
    await expect(decodeImageFile(corrupt)).rejects.toThrow(
      `cannot read image ${corrupt}: not a decodable image`,
    );
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(truncated);
    writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
    await expect(decodeImageFile(truncated)).rejects.toThrow(`cannot read image ${truncated}`);
  });

  it('fails the batch with the file named, or skips and counts in training', async () => {
    const { records } = await loadCocoKeypoints(join(cocoDir, 'test_coco.json'), { imageDir: cocoDir });
    const broken: JointsRecord[] = [
      ...records.slice(0, 3),
      { ...records[0]!, image: missing },
      { ...records[1]!, image: corrupt },
    ];
    await expect(
      collect(createTopDownLoader(broken, { train: true }, { batchSize: 5, workers: 2 })),
    ).rejects.toThrow(
      /^cannot read image .*(missing\.jpg: file not found|corrupt\.jpg: not a decodable image)/,
    );
    const skipped: string[] = [];
    const loader = createTopDownLoader(
      broken,
      { train: true },
      { batchSize: 5, workers: 2, skipUnreadable: true, onSkip: (e) => skipped.push(e.file) },
    );
    const batches = await collect(loader);
    expect(batches[0]!.size).toBe(3);
    expect(loader.skipped).toBe(2);
    expect(skipped.sort()).toEqual([corrupt, missing].sort());
  });
});
