import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, normalize, sep } from 'node:path';
import { FormatError } from './io/errors';
import type { NdArray } from './io/ndarray';
import { encodeNpy, parseNpy } from './io/npy';
import { readStateDict } from './io/pth';
import { decodeWeights, encodeWeights, type WeightsManifestGroup } from './io/tfjs-weights';

/** `format` field of the model.json written by {@link saveWeightsDir}. */
export const WEIGHTS_FORMAT = 'hrnet-ts-weights';

function temporarySibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Reads a whole file; a missing file gives an error saying `no such file: <path>`. */
async function readFileOrFail(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`no such file: ${path}`, { cause: error });
    throw error;
  }
}

/**
 * Writes a file so that readers see either the old content or the complete new one: the data goes to a
 * temporary file in the same folder, which is then renamed over `path` (and removed if anything fails).
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = temporarySibling(path);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Reads the tensors of a PyTorch checkpoint file; see `readStateDict`. */
export async function readStateDictFile(path: string): Promise<Map<string, NdArray>> {
  return readStateDict(await readFileOrFail(path), path);
}

/** Reads a `.npy` file; see `parseNpy`. */
export async function readNpyFile(path: string): Promise<NdArray> {
  return parseNpy(await readFileOrFail(path), path);
}

/** Writes an array as a `.npy` file, atomically. */
export async function writeNpyFile(path: string, nd: NdArray): Promise<void> {
  await writeFileAtomic(path, encodeNpy(nd));
}

/** Options of {@link saveWeightsDir}. */
export interface SaveWeightsOptions {
  quantization?: 'float16' | 'uint8';
  /** Stored as `userDefinedMetadata` in model.json. */
  metadata?: Record<string, unknown>;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Saves named arrays as a folder holding a tfjs-style `model.json` and its binary shards. The folder is
 * built under a temporary name and renamed into place, so `dir` never holds half-written output; an existing
 * `dir` is replaced.
 */
export async function saveWeightsDir(
  dir: string,
  entries: readonly { name: string; array: NdArray }[],
  options: SaveWeightsOptions = {},
): Promise<void> {
  const { manifest, shards } = encodeWeights(
    entries,
    options.quantization ? { quantization: options.quantization } : {},
  );
  const modelJson = {
    format: WEIGHTS_FORMAT,
    generatedBy: '@hrnet/core',
    weightsManifest: manifest,
    userDefinedMetadata: options.metadata ?? {},
  };
  const temporary = temporarySibling(dir);
  const previous = temporarySibling(dir);
  try {
    await mkdir(temporary, { recursive: true });
    for (const shard of shards) await writeFile(join(temporary, shard.path), shard.bytes);
    await writeFile(join(temporary, 'model.json'), `${JSON.stringify(modelJson, null, 2)}\n`);
    const replacing = await exists(dir);
    if (replacing) await rename(dir, previous);
    try {
      await rename(temporary, dir);
    } catch (error) {
      if (replacing) await rename(previous, dir);
      throw error;
    }
    if (replacing) await rm(previous, { recursive: true, force: true });
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

function shardPath(dir: string, path: string, modelJsonPath: string): string {
  const relative = normalize(path);
  if (relative.startsWith('..') || relative.startsWith(sep) || relative.includes(`${sep}..${sep}`)) {
    throw new FormatError(modelJsonPath, `shard path ${path} points outside the folder`);
  }
  return join(dir, relative);
}

/** Loads a folder written by {@link saveWeightsDir} (or any tfjs model.json with a `weightsManifest`). */
export async function loadWeightsDir(
  dir: string,
): Promise<{ weights: Map<string, NdArray>; metadata: Record<string, unknown> }> {
  const modelJsonPath = join(dir, 'model.json');
  const text = new TextDecoder().decode(await readFileOrFail(modelJsonPath));
  let modelJson: { weightsManifest?: WeightsManifestGroup[]; userDefinedMetadata?: Record<string, unknown> };
  try {
    modelJson = JSON.parse(text);
  } catch (error) {
    throw new FormatError(modelJsonPath, `invalid JSON (${(error as Error).message})`);
  }
  const manifest = modelJson.weightsManifest;
  if (!Array.isArray(manifest)) throw new FormatError(modelJsonPath, 'no weightsManifest');
  const shards = new Map<string, Uint8Array>();
  for (const path of manifest.flatMap((group) => group.paths)) {
    shards.set(path, await readFileOrFail(shardPath(dir, path, modelJsonPath)));
  }
  const weights = decodeWeights(manifest, (path) => shards.get(path)!);
  return { weights, metadata: modelJson.userDefinedMetadata ?? {} };
}
