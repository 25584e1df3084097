import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { referencePath } from '../../../../testing/shared';
import {
  loadWeightsDir,
  readNpyFile,
  readStateDictFile,
  saveWeightsDir,
  WEIGHTS_FORMAT,
  writeFileAtomic,
  writeNpyFile,
} from '../node';
import { ndarray } from './ndarray';

const root = mkdtempSync(join(tmpdir(), 'hrnet-core-io-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('node file helpers', () => {
  it('writes files atomically and cleans up after a failure', async () => {
    const dir = join(root, 'atomic');
    mkdirSync(dir);
    await writeFileAtomic(join(dir, 'a.txt'), 'hello');
    await writeFileAtomic(join(dir, 'a.txt'), 'bye');
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('bye');
    mkdirSync(join(dir, 'folder'));
    await expect(writeFileAtomic(join(dir, 'folder'), Uint8Array.of(1))).rejects.toThrow();
    expect(readdirSync(dir).sort()).toEqual(['a.txt', 'folder']);
  });

  it('reads and writes .npy files and checkpoints', async () => {
    const path = join(root, 'x.npy');
    const nd = ndarray('float32', [2, 2], Float32Array.of(1, 2, 3, 4));
    await writeNpyFile(path, nd);
    expect(await readNpyFile(path)).toEqual(nd);
    const stateDict = await readStateDictFile(referencePath('models', 'tiny', 'model.pth'));
    expect(stateDict.size).toBe(614);
  });

  it('names the missing file', async () => {
    const missing = join(root, 'missing.pth');
    await expect(readStateDictFile(missing)).rejects.toThrow(`no such file: ${missing}`);
    await expect(readNpyFile(missing)).rejects.toThrow(`no such file: ${missing}`);
    await expect(loadWeightsDir(join(root, 'nowhere'))).rejects.toThrow(
      `no such file: ${join(root, 'nowhere', 'model.json')}`,
    );
  });

  it('saves and loads a weights folder, replacing an old one', async () => {
    const dir = join(root, 'weights');
    const entries = [
      { name: 'w', array: ndarray('float32', [3], Float32Array.of(0.5, -1, 2)) },
      { name: 'n', array: ndarray('int64', [], BigInt64Array.of(3n)) },
    ];
    await saveWeightsDir(dir, entries.slice(0, 1), { metadata: { version: 0 } });
    await saveWeightsDir(dir, entries, { quantization: 'float16', metadata: { joints: 17 } });
    const modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(modelJson.format).toBe(WEIGHTS_FORMAT);
    expect(modelJson.generatedBy).toBe('@hrnet/core');
    expect(readdirSync(dir).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    expect(readdirSync(root).filter((name) => name.includes('.tmp'))).toEqual([]);
    const { weights, metadata } = await loadWeightsDir(dir);
    expect(metadata).toEqual({ joints: 17 });
    expect(weights.get('w')).toEqual(entries[0]!.array);
    expect(weights.get('n')).toEqual(ndarray('int32', [], Int32Array.of(3)));
  });

  it('refuses shard paths outside the folder', async () => {
    const dir = join(root, 'escape');
    mkdirSync(dir);
    const manifest = [{ paths: ['../secret.bin'], weights: [] }];
    await writeFileAtomic(join(dir, 'model.json'), JSON.stringify({ weightsManifest: manifest }));
    await expect(loadWeightsDir(dir)).rejects.toThrow('shard path ../secret.bin points outside the folder');
  });
});
