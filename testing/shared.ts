import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (this file lives in `<root>/testing`). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The shared folder with fixtures, data and models: `HRNET_SHARED` if set, else `<repo>/../shared`.
 * Throws with a clear message when it is missing, so a test never passes on absent data.
 */
export function sharedDir(): string {
  const dir = process.env.HRNET_SHARED ?? resolve(repoRoot, '..', 'shared');
  if (!existsSync(dir)) {
    throw new Error(
      `shared folder not found at ${dir}; set HRNET_SHARED to the folder holding fixtures/, data/ and models/`,
    );
  }
  return dir;
}

/** Path of a file under `shared/fixtures/reference/`. */
export function referencePath(...parts: string[]): string {
  return join(sharedDir(), 'fixtures', 'reference', ...parts);
}

/** Path of a file under `shared/data/`. */
export function dataPath(...parts: string[]): string {
  return join(sharedDir(), 'data', ...parts);
}
