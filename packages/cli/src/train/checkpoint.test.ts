import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ndarray } from '@hrnet/core';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { CheckpointError, loadCheckpoint, saveCheckpoint, type TrainingCheckpoint } from './checkpoint';

/** When set, `writeFile` writes half of its data and fails, as a crash or a full disk mid-write would. */
const failure = vi.hoisted(() => ({ active: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile: typeof actual.writeFile = async (path, data, options) => {
    if (!failure.active) return actual.writeFile(path, data, options);
    const bytes = data as Uint8Array;
    await actual.writeFile(path, bytes.subarray(0, bytes.length >> 1));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return { ...actual, default: { ...actual, writeFile }, writeFile };
});

function checkpointAt(epoch: number): TrainingCheckpoint {
  const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i + epoch));
  return {
    epoch,
    model: new Map([
      ['conv1.weight', ndarray('float32', [10, 1, 10, 10], values)],
      ['bn1.num_batches_tracked', ndarray('int64', [], BigInt64Array.of(BigInt(epoch)))],
    ]),
    optimizer: {
      step: 3 * epoch,
      firstMoments: [values.map((v) => v / 2)],
      secondMoments: [values.map((v) => v * v)],
    },
    rng: { seed: 7 },
    best: { name: 'AP', value: 0.5, epoch: epoch - 1 },
    history: [],
  };
}

describe('checkpoint file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hrnet-ckpt-'));
  const path = join(dir, 'checkpoint.ckpt');
  afterEach(() => {
    failure.active = false;
  });

  test('round-trips every field exactly', async () => {
    const saved = checkpointAt(1);
    await saveCheckpoint(path, saved);
    expect(await loadCheckpoint(path)).toEqual(saved);
  });

  test('a write that fails halfway leaves the previous checkpoint intact and loadable, and no temporary file', async () => {
    await saveCheckpoint(path, checkpointAt(1));
    const before = readFileSync(path);
    failure.active = true;
    await expect(saveCheckpoint(path, checkpointAt(2))).rejects.toThrow(/ENOSPC/);
    failure.active = false;
    expect(readFileSync(path).equals(before)).toBe(true);
    expect((await loadCheckpoint(path)).epoch).toBe(1);
    expect(readdirSync(dir)).toEqual(['checkpoint.ckpt']);
  });

  test('a truncated or damaged file is refused with a clear error', async () => {
    await saveCheckpoint(path, checkpointAt(1));
    const bytes = readFileSync(path);
    const broken = join(dir, 'broken.ckpt');
    writeFileSync(broken, bytes.subarray(0, bytes.length - 100));
    await expect(loadCheckpoint(broken)).rejects.toThrow(CheckpointError);
    await expect(loadCheckpoint(broken)).rejects.toThrow(/truncated/);
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 1]! ^= 1;
    writeFileSync(broken, flipped);
    await expect(loadCheckpoint(broken)).rejects.toThrow(/checksum/);
    rmSync(dir, { recursive: true, force: true });
  });
});
