import { existsSync, readFileSync } from 'node:fs';
import { readStateDictFile } from '@hrnet/core/node';
import {
  HRNET_PRESETS,
  type HRNetConfig,
  hrnetPreset,
  loadStateDict,
  PoseHighResolutionNet,
  parseHRNetConfigYaml,
} from '@hrnet/layers';
import { UsageError } from './errors';

/** `--config`: a preset name (`w32-coco-256x192`) or the path of an official YAML config. */
export function resolveConfig(config: string): HRNetConfig {
  if (config in HRNET_PRESETS) return hrnetPreset(config);
  if (!existsSync(config)) {
    throw new UsageError(
      `--config ${config}: no such file and not a preset (presets: ${Object.keys(HRNET_PRESETS).join(', ')})`,
    );
  }
  return parseHRNetConfigYaml(readFileSync(config, 'utf8'));
}

/** Builds the network of `config` and loads a PyTorch checkpoint (official or MMPose layout) into it. */
export async function loadNetwork(config: HRNetConfig, weights: string): Promise<PoseHighResolutionNet> {
  if (!existsSync(weights)) throw new UsageError(`--weights ${weights}: no such file`);
  const tensors = await readStateDictFile(weights);
  const net = new PoseHighResolutionNet(config);
  try {
    loadStateDict(net, tensors);
  } catch (error) {
    net.dispose();
    throw error;
  }
  return net;
}
