import { readFileSync } from 'node:fs';
import { type NdArray, toFloat32 } from '@hrnet/core';
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

/** How a model's state after one training step compares with `train-after-step`. */
export interface AfterStepComparison {
  /** Largest abs difference over the compared elements. */
  worst: number;
  /** Elements compared: every buffer element, and parameter elements whose reference gradient exceeds 1e-6. */
  compared: number;
  /** Parameter elements with |reference gradient| <= 1e-6 that differ by more than `tolerance` (not compared). */
  tinyGradientFlips: number;
  /** The first compared elements that differ by more than `tolerance`, as `key[i]: ours vs reference`. */
  failures: string[];
}

/**
 * Compares a state dict after one Adam step with the `train-after-step` fixture. Parameters are compared where
 * the reference gradient is above 1e-6 in magnitude: Adam's first step turns a tinier gradient into +-lr by its
 * sign, which summation order can flip.
 */
export async function compareAfterStep(
  after: ReadonlyMap<string, NdArray>,
  tolerance: number,
): Promise<AfterStepComparison> {
  const referenceGrads = await readIndexedFixture('train-grads');
  const referenceAfter = await readIndexedFixture('train-after-step');
  const result: AfterStepComparison = { worst: 0, compared: 0, tinyGradientFlips: 0, failures: [] };
  for (const [key, ref] of referenceAfter) {
    const ours = toFloat32(after.get(key)!);
    const grad = referenceGrads.get(key);
    for (let i = 0; i < ref.length; i++) {
      const diff = Math.abs(ours[i]! - ref[i]!);
      if (grad !== undefined && Math.abs(grad[i]!) <= 1e-6) {
        if (diff > tolerance) result.tinyGradientFlips++;
        continue;
      }
      result.compared++;
      result.worst = Math.max(result.worst, diff);
      if (diff > tolerance && result.failures.length < 10)
        result.failures.push(`${key}[${i}]: ${ours[i]} vs reference ${ref[i]}`);
    }
  }
  return result;
}
