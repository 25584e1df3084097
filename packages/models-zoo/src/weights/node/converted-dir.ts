import { join } from 'node:path';
import type { NdArray } from '@hrnet/core';
import { loadWeightsDir, saveWeightsDir } from '@hrnet/core/node';
import type { HRNetConfig } from '@hrnet/layers';
import { configFromConvertedMetadata, convertedCheckpointMetadata, stateDictEntries } from '../converted';

/** Options of {@link saveConvertedCheckpoint}. */
export interface SaveConvertedOptions {
  /** File name of the source checkpoint, recorded in the metadata. */
  readonly checkpoint: string;
  /** Store float tensors as float16: half the size; heatmaps move by up to 1e-3 of their largest magnitude. */
  readonly float16?: boolean;
  /** Model zoo id, recorded in the metadata. */
  readonly modelId?: string;
}

/**
 * Writes a PyTorch state dict as a self-describing tfjs weights folder (model.json + shards): tensors keep
 * their state-dict names and PyTorch layouts, and model.json's `userDefinedMetadata` holds the HRNet
 * configuration (see `ConvertedCheckpointMetadata`). The folder appears atomically; an existing one is replaced.
 */
export async function saveConvertedCheckpoint(
  dir: string,
  stateDict: ReadonlyMap<string, NdArray>,
  config: HRNetConfig,
  options: SaveConvertedOptions,
): Promise<void> {
  const precision = options.float16 ? 'float16' : 'float32';
  const metadata = convertedCheckpointMetadata(config, {
    checkpoint: options.checkpoint,
    precision,
    ...(options.modelId === undefined ? {} : { modelId: options.modelId }),
  });
  await saveWeightsDir(dir, stateDictEntries(stateDict), {
    ...(options.float16 ? { quantization: 'float16' as const } : {}),
    metadata: { ...metadata },
  });
}

/**
 * Reads a folder written by {@link saveConvertedCheckpoint}: its HRNet configuration and the state dict
 * (float32, PyTorch layout) ready for `loadStateDict`.
 */
export async function loadConvertedCheckpoint(
  dir: string,
): Promise<{ config: HRNetConfig; stateDict: Map<string, NdArray>; metadata: Record<string, unknown> }> {
  const { weights, metadata } = await loadWeightsDir(dir);
  const config = configFromConvertedMetadata(metadata, join(dir, 'model.json'));
  return { config, stateDict: weights, metadata };
}
