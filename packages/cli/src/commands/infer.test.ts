import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseNpy, toFloat32 } from '@hrnet/core';
import { describe, expect, test } from 'vitest';
import { referencePath, repoRoot } from '../../../../testing/shared';

const run = promisify(execFile);
/** The `hrnet` bin as the workspace links it (needs `nx run cli:build`, which the test target depends on). */
const hrnet = join(repoRoot, 'node_modules', '.bin', 'hrnet');
const tiny = (file: string) => referencePath('models', 'tiny', file);
const outDir = mkdtempSync(join(tmpdir(), 'hrnet-infer-'));

async function hrnetFails(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    await run(hrnet, args);
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
  throw new Error(`hrnet ${args.join(' ')} succeeded but should have failed`);
}

const readNpy = (path: string) => parseNpy(readFileSync(path), path);

describe('hrnet infer', () => {
  test.each(['model.pth', 'model-legacy.pth', 'model-mmpose.pth'])(
    '%s: forward of input.npy matches output.npy within 1e-4',
    async (checkpoint) => {
      const output = join(outDir, `${checkpoint}.npy`);
      const { stderr } = await run(hrnet, [
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
      const a = toFloat32(ours);
      const b = toFloat32(expected);
      let max = 0;
      for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
      expect(max).toBeLessThanOrEqual(1e-4);
    },
  );

  test('tiny-mpii on the wasm backend matches within 1e-4', async () => {
    const mpii = (file: string) => referencePath('models', 'tiny-mpii', file);
    const output = join(outDir, 'mpii.npy');
    await run(hrnet, [
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

  test('--help prints usage with an example', async () => {
    const { stdout } = await run(hrnet, ['infer', '--help']);
    expect(stdout).toMatch(/Usage: hrnet infer --config/);
    expect(stdout).toMatch(/Example:/);
  });
});
