import type { NdArray } from '@hrnet/core';
import { type HRNetConfig, hrnetConfigFromOfficial } from '@hrnet/layers';

/** `userDefinedMetadata.format` of a converted checkpoint's model.json. */
export const CONVERTED_CHECKPOINT_FORMAT = 'hrnet-pytorch-state-dict';

/**
 * What a converted checkpoint folder says about itself (model.json `userDefinedMetadata`). Weights keep their
 * PyTorch state-dict names and layouts (convolution kernels OIHW), so loading is `loadStateDict` of
 * `@hrnet/layers`, exactly as for the `.pth`.
 */
export interface ConvertedCheckpointMetadata {
  readonly format: typeof CONVERTED_CHECKPOINT_FORMAT;
  readonly version: 1;
  /** Layout of the stored tensors: always PyTorch's (OIHW kernels, NCHW-ordered BatchNorm vectors). */
  readonly layout: 'pytorch';
  /** Storage precision of float tensors. */
  readonly precision: 'float32' | 'float16';
  /** The HRNet configuration in the official YAML `MODEL` layout (`NUM_JOINTS`, `EXTRA.STAGE2`, ...). */
  readonly model: Record<string, unknown>;
  /** File name of the checkpoint it was converted from. */
  readonly checkpoint: string;
  /** Model zoo id, when converted from a zoo card's weights. */
  readonly modelId?: string;
}

/** The official YAML `MODEL` section of a configuration (inverse of `hrnetConfigFromOfficial`). */
export function officialModelSection(config: HRNetConfig): Record<string, unknown> {
  const stage = (s: HRNetConfig['stage2']) => ({
    NUM_MODULES: s.numModules,
    NUM_BRANCHES: s.numBranches,
    BLOCK: s.block,
    NUM_BLOCKS: [...s.numBlocks],
    NUM_CHANNELS: [...s.numChannels],
    FUSE_METHOD: s.fuseMethod,
  });
  return {
    NAME: 'pose_hrnet',
    NUM_JOINTS: config.numJoints,
    IMAGE_SIZE: [...config.imageSize],
    HEATMAP_SIZE: [...config.heatmapSize],
    EXTRA: {
      FINAL_CONV_KERNEL: config.finalConvKernel,
      STAGE2: stage(config.stage2),
      STAGE3: stage(config.stage3),
      STAGE4: stage(config.stage4),
      ...(config.exchange !== undefined ? { EXCHANGE: config.exchange } : {}),
      ...(config.head !== undefined ? { HEAD: config.head } : {}),
    },
  };
}

/** Metadata for a checkpoint converted with this configuration. */
export function convertedCheckpointMetadata(
  config: HRNetConfig,
  details: { checkpoint: string; precision: 'float32' | 'float16'; modelId?: string },
): ConvertedCheckpointMetadata {
  return {
    format: CONVERTED_CHECKPOINT_FORMAT,
    version: 1,
    layout: 'pytorch',
    precision: details.precision,
    model: officialModelSection(config),
    checkpoint: details.checkpoint,
    ...(details.modelId === undefined ? {} : { modelId: details.modelId }),
  };
}

/**
 * Checks the metadata of a converted checkpoint and returns its HRNet configuration.
 *
 * @param label the model.json path, named in errors
 * @throws Error when the folder was not written by a checkpoint conversion or its configuration is invalid
 */
export function configFromConvertedMetadata(metadata: Record<string, unknown>, label: string): HRNetConfig {
  if (metadata.format !== CONVERTED_CHECKPOINT_FORMAT || metadata.layout !== 'pytorch') {
    throw new Error(
      `${label}: not a converted HRNet checkpoint (userDefinedMetadata.format should be ` +
        `${CONVERTED_CHECKPOINT_FORMAT} with layout pytorch; convert one with 'hrnet convert')`,
    );
  }
  try {
    return hrnetConfigFromOfficial(metadata.model);
  } catch (error) {
    throw new Error(`${label}: userDefinedMetadata.model: ${(error as Error).message}`, { cause: error });
  }
}

/** The tensors of a state dict as named weights for `encodeWeights`/`saveWeightsDir`, in key order. */
export function stateDictEntries(
  stateDict: ReadonlyMap<string, NdArray>,
): { name: string; array: NdArray }[] {
  return [...stateDict].map(([name, array]) => ({ name, array }));
}
