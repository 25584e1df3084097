import { readFileSync } from 'node:fs';
import { toFloat32 } from '@hrnet/core';
import { readNpyFile } from '@hrnet/core/node';
import { referencePath } from './shared';

interface IndexEntry {
  name: string;
  shape: number[];
  offset: number;
}

/** A file of the tiny reference model (`fixtures/reference/models/tiny/...`). */
export const tinyFixture = (...parts: string[]) => referencePath('models', 'tiny', ...parts);

/**
 * A flat fixture of the tiny model's training step (`train-grads`, `train-after-step`: one float32 `.npy` plus a
 * JSON index of name/shape/offset) split into named tensors, PyTorch layout.
 */
export async function readIndexedFixture(name: string): Promise<Map<string, Float32Array>> {
  const flat = toFloat32(await readNpyFile(tinyFixture(`${name}.npy`)));
  const index = JSON.parse(readFileSync(tinyFixture(`${name}.json`), 'utf8')) as IndexEntry[];
  return new Map(
    index.map((e) => [e.name, flat.subarray(e.offset, e.offset + e.shape.reduce((a, b) => a * b, 1))]),
  );
}
