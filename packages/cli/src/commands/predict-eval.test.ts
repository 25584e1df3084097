import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, test } from 'vitest';
import { hrnetFails, runHrnet } from '../../../../testing/cli';
import { dataPath, referencePath, sharedDir } from '../../../../testing/shared';

const work = mkdtempSync(join(tmpdir(), 'hrnet-e2e-'));
/** Weights from the shared offline mirror, converted/cached in a fresh folder. */
const env = {
  ...process.env,
  HRNET_WEIGHTS_DIR: join(sharedDir(), 'models'),
  HRNET_CACHE: join(work, 'cache'),
};
const sample = (file: string) => dataPath('coco-sample', file);

interface Stats {
  stats: number[];
}

async function evalStats(...extra: string[]): Promise<number[]> {
  const { stdout } = await runHrnet(
    [
      ...['eval', '--annotations', sample('test_coco.json'), '--images', dataPath('coco-sample')],
      ...['--model', 'pp-tinypose-256x192', '--json', ...extra],
    ],
    { env },
  );
  const { stats } = JSON.parse(stdout) as Stats;
  console.log(
    `hrnet eval ${extra.join(' ') || '(ground-truth boxes)'}: ${stats.map((s) => s.toFixed(3)).join(' ')}`,
  );
  return stats;
}

describe('end to end with PP-TinyPose on ../shared/data/coco-sample', () => {
  test('hrnet eval with ground-truth boxes reproduces the reference AP 0.808 within 0.01', async () => {
    const reference = JSON.parse(readFileSync(referencePath('pp-tinypose', 'pp-tinypose.json'), 'utf8')) as {
      coco_sample_gt_boxes: Stats;
    };
    const stats = await evalStats();
    expect(Math.abs(stats[0]! - reference.coco_sample_gt_boxes.stats[0]!)).toBeLessThanOrEqual(0.01);
  });

  test('--runtime onnx (PP-TinyPose exported from its ncnn graph) gives the same stats as tfjs', async () => {
    const [tfjs, onnx] = [await evalStats(), await evalStats('--runtime', 'onnx')];
    // Heatmaps agree within ~1e-6 (ncnn model test), so every keypoint and every stat matches closely.
    for (const [i, stat] of onnx.entries()) expect(Math.abs(stat - tfjs[i]!)).toBeLessThan(1e-3);
  });

  test('flip test, DARK and detection boxes run through the same evaluation', async () => {
    for (const extra of [
      ['--flip-test'],
      ['--decode', 'dark'],
      ['--flip-test', '--decode', 'dark'],
      ['--boxes', sample('test_coco_det_AP_H_56.json')],
    ]) {
      const stats = await evalStats(...extra);
      expect(stats).toHaveLength(10);
      expect(stats[0]).toBeGreaterThan(0.5);
    }
  });

  test('hrnet predict writes poses as JSON and a PNG of the image with the skeletons', async () => {
    const out = join(work, 'predictions');
    await runHrnet(
      [
        'predict',
        sample('000000000785.jpg'),
        sample('000000196141.jpg'),
        '--boxes',
        sample('test_coco_det_AP_H_56.json'),
        '--out',
        out,
      ],
      { env },
    );
    const result = JSON.parse(readFileSync(join(out, '000000196141.json'), 'utf8')) as {
      poses: { keypoints: { name: string }[]; score: number }[];
    };
    expect(result.poses.length).toBeGreaterThanOrEqual(3);
    expect(result.poses[0]!.keypoints).toHaveLength(17);
    const png = await sharp(join(out, '000000000785.png')).metadata();
    expect([png.format, png.width, png.height]).toEqual(['png', 640, 425]);
  });

  test('without weights anywhere the error says what to download and where to put it', async () => {
    const offline = { ...process.env, HRNET_CACHE: join(work, 'empty-cache'), HRNET_WEIGHTS_DIR: '' };
    const failure = await hrnetFails(['predict', sample('000000000785.jpg'), '--out', join(work, 'x')], {
      env: offline,
    });
    expect(failure.code).toBe(1);
    expect(failure.stderr).toMatch(/tinypose_256x192\.param/);
    expect(failure.stderr).toMatch(/HRNET_WEIGHTS_DIR/);
  });

  test('a missing --boxes file fails like hrnet eval, naming the file', async () => {
    const missing = join(work, 'no-such-detections.json');
    for (const args of [
      ['predict', sample('000000000785.jpg'), '--out', join(work, 'y'), '--boxes', missing],
      [
        ...['eval', '--annotations', sample('test_coco.json'), '--images', dataPath('coco-sample')],
        ...['--model', 'pp-tinypose-256x192', '--boxes', missing],
      ],
    ]) {
      const failure = await hrnetFails(args, { env });
      expect(failure.code).toBe(1);
      expect(failure.stderr).toContain(`${missing}: cannot read`);
    }
  });
});
