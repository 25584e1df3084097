import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNpy, toFloat32 } from '@hrnet/core';
import { describe, expect, test } from 'vitest';
import { hrnetFails, maxAbsDiff, runHrnet } from '../../../../testing/cli';
import { referencePath, sharedDir } from '../../../../testing/shared';

const tiny = (file: string) => referencePath('models', 'tiny', file);
const outDir = mkdtempSync(join(tmpdir(), 'hrnet-infer-'));

const readNpy = (path: string) => parseNpy(readFileSync(path), path);

describe('hrnet infer', () => {
  test.each(['model.pth', 'model-legacy.pth', 'model-mmpose.pth'])(
    '%s: forward of input.npy matches output.npy within 1e-4',
    async (checkpoint) => {
      const output = join(outDir, `${checkpoint}.npy`);
      const { stderr } = await runHrnet([
        'infer',
        '--config',
        tiny('config.yaml'),
        '--weights',
        tiny(checkpoint),
        '--input',
        tiny('input.npy'),
        '--output',
        output,
      ]);
      expect(stderr).toMatch(/written to/);
      const ours = readNpy(output);
      const expected = readNpy(tiny('output.npy'));
      expect(ours.shape).toEqual([2, 17, 24, 16]);
      expect(maxAbsDiff(toFloat32(ours), toFloat32(expected))).toBeLessThanOrEqual(1e-4);
    },
  );

  test('tiny-mpii on the wasm backend matches within 1e-4', async () => {
    const mpii = (file: string) => referencePath('models', 'tiny-mpii', file);
    const output = join(outDir, 'mpii.npy');
    await runHrnet([
      'infer',
      ...['--config', mpii('config.yaml'), '--weights', mpii('model.pth')],
      ...['--input', mpii('input.npy'), '--output', output, '--backend', 'wasm'],
    ]);
    const a = toFloat32(readNpy(output));
    const b = toFloat32(readNpy(mpii('output.npy')));
    expect(a.length).toBe(b.length);
    expect(a.every((v, i) => Math.abs(v - b[i]!) <= 1e-4)).toBe(true);
  });

  test('bad input: one-line errors and non-zero exit codes', async () => {
    const base = ['infer', '--config', tiny('config.yaml'), '--output', join(outDir, 'x.npy')];
    const missing = await hrnetFails([...base, '--weights', tiny('nope.pth'), '--input', tiny('input.npy')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^hrnet: error: --weights .*nope\.pth: no such file\n$/);

    const wrongShape = await hrnetFails([
      ...base,
      '--weights',
      tiny('model.pth'),
      '--input',
      tiny('output.npy'),
    ]);
    expect(wrongShape.stderr).toMatch(
      /expected a float32 NCHW array \[N, 3, H, W\], got float32 \[2, 17, 24, 16\]/,
    );

    const truncated = join(outDir, 'truncated.pth');
    writeFileSync(truncated, readFileSync(tiny('model.pth')).subarray(0, 100_000));
    const corrupt = await hrnetFails([...base, '--weights', truncated, '--input', tiny('input.npy')]);
    expect(corrupt.code).toBe(1);
    expect(corrupt.stderr).toMatch(/truncated\.pth: truncated/);
    expect(corrupt.stderr.trim().split('\n')).toHaveLength(1);

    const wrongModel = await hrnetFails([
      ...['infer', '--config', 'w32-coco-256x192', '--output', join(outDir, 'x.npy')],
      ...['--weights', tiny('model.pth'), '--input', tiny('input.npy')],
    ]);
    expect(wrongModel.stderr).toMatch(
      /state dict does not fit the model: missing keys: .*; shape mismatches: /,
    );
    expect(wrongModel.stderr.trim().split('\n')).toHaveLength(1);

    const backend = await hrnetFails([
      ...base,
      '--weights',
      tiny('model.pth'),
      '--input',
      tiny('input.npy'),
      '--backend',
      'cuda',
    ]);
    expect(backend.stderr).toMatch(/--backend cuda: expected one of cpu, wasm, webgl, webgpu, tensorflow/);

    const unknown = await hrnetFails(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  test('--flip-test reproduces the official flip test output within 1e-4', async () => {
    const output = join(outDir, 'fliptest.npy');
    const { stderr } = await runHrnet([
      ...['infer', '--config', tiny('config.yaml'), '--weights', tiny('model.pth'), '--flip-test'],
      ...['--input', tiny('input.npy'), '--output', output],
    ]);
    expect(stderr).toMatch(/^hrnet infer \(flip test\) \[tfjs\]: /);
    const fliptest = toFloat32(readNpy(tiny('output-fliptest.npy')));
    expect(maxAbsDiff(toFloat32(readNpy(output)), fliptest)).toBeLessThanOrEqual(1e-4);
  });

  test('--model pp-tinypose-256x192 (ncnn graph from the offline mirror) reproduces the reference heatmaps', async () => {
    const output = join(outDir, 'tinypose.npy');
    const fixture = (file: string) => referencePath('pp-tinypose', file);
    const env = {
      ...process.env,
      HRNET_WEIGHTS_DIR: join(sharedDir(), 'models'),
      HRNET_CACHE: join(outDir, 'cache'),
    };
    await runHrnet(
      [
        'infer',
        '--model',
        'pp-tinypose-256x192',
        '--input',
        fixture('input-ann442619.npy'),
        '--output',
        output,
        '--backend',
        'wasm',
      ],
      { env },
    );
    const a = toFloat32(readNpy(output));
    const b = toFloat32(readNpy(fixture('heatmaps-ann442619.npy')));
    expect(a.length).toBe(b.length);
    expect(a.every((v, i) => Math.abs(v - b[i]!) <= 1e-4)).toBe(true);
  });

  test('--model: errors name the problem', async () => {
    const io = ['--input', tiny('input.npy'), '--output', join(outDir, 'x.npy')];
    const both = await hrnetFails([
      'infer',
      '--model',
      'hrnet-w32-coco-256x192',
      '--config',
      tiny('config.yaml'),
      ...io,
    ]);
    expect(both).toEqual({
      code: 2,
      stderr: 'hrnet: error: --model replaces --config and --weights; give one or the other\n',
    });
    const unknown = await hrnetFails(['infer', '--model', 'hrnet-w64', ...io]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /--model hrnet-w64: not a converted model folder nor a model zoo id \(hrnet-w32-coco-256x192, /,
    );
    const notConverted = await hrnetFails(['infer', '--model', outDir, ...io]);
    expect(notConverted.stderr).toMatch(/folder has no model\.json/);
  });

  test('--help prints usage with an example', async () => {
    const { stdout } = await runHrnet(['infer', '--help']);
    expect(stdout).toMatch(/Usage: hrnet infer --config/);
    expect(stdout).toMatch(/Example:/);
  });
});
