import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNpy, toFloat32 } from '@hrnet/core';
import { describe, expect, test } from 'vitest';
import { hrnetFails, maxAbsDiff, runHrnet } from '../../../../testing/cli';
import { referencePath } from '../../../../testing/shared';

const tiny = (file: string) => referencePath('models', 'tiny', file);
const outDir = mkdtempSync(join(tmpdir(), 'hrnet-convert-'));

const readNpy = (path: string) => toFloat32(parseNpy(readFileSync(path), path));

/** Heatmaps of `hrnet infer --model <dir>` on the tiny reference input. */
async function inferWithModel(model: string, name: string): Promise<Float32Array> {
  const output = join(outDir, `${name}.npy`);
  await runHrnet(['infer', '--model', model, '--input', tiny('input.npy'), '--output', output]);
  return readNpy(output);
}

describe('hrnet convert', () => {
  test('round trip: the converted folder gives the same heatmaps as the .pth', async () => {
    const dir = join(outDir, 'tiny');
    const { stderr } = await runHrnet([
      'convert',
      tiny('model.pth'),
      '--config',
      tiny('config.yaml'),
      '--out',
      dir,
    ]);
    expect(stderr).toMatch(/tensors \(float32\) written to /);
    const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(modelJson.userDefinedMetadata).toMatchObject({
      format: 'hrnet-pytorch-state-dict',
      layout: 'pytorch',
      precision: 'float32',
      checkpoint: 'model.pth',
      model: { NAME: 'pose_hrnet', NUM_JOINTS: 17, IMAGE_SIZE: [64, 96], HEATMAP_SIZE: [16, 24] },
    });
    const weights = modelJson.weightsManifest[0].weights;
    expect(weights.find((w: { name: string }) => w.name === 'conv1.weight').shape).toEqual([64, 3, 3, 3]);

    const fromPth = join(outDir, 'from-pth.npy');
    await runHrnet([
      ...['infer', '--config', tiny('config.yaml'), '--weights', tiny('model.pth')],
      ...['--input', tiny('input.npy'), '--output', fromPth],
    ]);
    const converted = await inferWithModel(dir, 'from-dir');
    expect(maxAbsDiff(converted, readNpy(fromPth))).toBe(0);
    expect(maxAbsDiff(converted, readNpy(tiny('output.npy')))).toBeLessThanOrEqual(1e-4);

    const flipTest = join(outDir, 'from-dir-flip.npy');
    await runHrnet([
      'infer',
      '--model',
      dir,
      '--flip-test',
      '--input',
      tiny('input.npy'),
      '--output',
      flipTest,
    ]);
    expect(maxAbsDiff(readNpy(flipTest), readNpy(tiny('output-fliptest.npy')))).toBeLessThanOrEqual(1e-4);
  });

  test("--float16 stays within 1e-3 of the heatmaps' largest magnitude", async () => {
    const dir = join(outDir, 'tiny-f16');
    await runHrnet([
      'convert',
      tiny('model-mmpose.pth'),
      '--config',
      tiny('config.yaml'),
      '--out',
      dir,
      '--float16',
    ]);
    const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(modelJson.userDefinedMetadata.precision).toBe('float16');
    expect(modelJson.userDefinedMetadata.checkpoint).toBe('model-mmpose.pth');
    const half = await inferWithModel(dir, 'from-f16');
    const reference = readNpy(tiny('output.npy'));
    const largest = reference.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
    // Measured: 1.7e-3 absolute on heatmaps up to 2.7 in magnitude (6e-4 relative).
    expect(maxAbsDiff(half, reference)).toBeLessThanOrEqual(1e-3 * largest);
  });

  test('a checkpoint that does not fit the config: one-line error, nothing written', async () => {
    const dir = join(outDir, 'wrong');
    const wrong = await hrnetFails([
      'convert',
      tiny('model.pth'),
      '--config',
      'w32-coco-256x192',
      '--out',
      dir,
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^hrnet: error: state dict does not fit the model: missing keys: /);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(dir)).toBe(false);

    const missing = await hrnetFails([
      'convert',
      tiny('nope.pth'),
      '--config',
      'w32-coco-256x192',
      '--out',
      dir,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.pth: no such file\n$/);
    const noOut = await hrnetFails(['convert', tiny('model.pth'), '--config', tiny('config.yaml')]);
    expect(noOut).toEqual({ code: 2, stderr: 'hrnet: error: missing --out\n' });
  });

  test('--help prints usage with an example', async () => {
    const { stdout } = await runHrnet(['convert', '--help']);
    expect(stdout).toMatch(/Usage: hrnet convert <checkpoint\.pth> --config/);
    expect(stdout).toMatch(/Example:/);
  });
});
