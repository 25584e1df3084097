import { readFileSync } from 'node:fs';
import { dataPath, referencePath } from '../../../testing/shared';
import { parseNpy } from '../../core/src/io/npy';

/** Test-only helpers (not exported by the package). */
export { dataPath, referencePath };

/** Reads a fixture `.npy` (test-only use of `@hrnet/core`'s parser). */
export function readNpy(path: string): { shape: number[]; data: ArrayLike<number> } {
  const nd = parseNpy(new Uint8Array(readFileSync(path)), path);
  return { shape: nd.shape, data: nd.data as ArrayLike<number> };
}

/** Reads a JSON file. */
export function readJsonFile<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
