import { type NdArray, readStateDict } from '@hrnet/core';
import { type HRNetConfig, loadStateDict, PoseHighResolutionNet } from '@hrnet/layers';
import type * as tf from '@tensorflow/tfjs-core';
import { NcnnModel } from '../ncnn';
import { isHRNetConfig, type ModelCard } from '../zoo/cards';

/** A loaded pose network: normalised NHWC crops `[N, H, W, 3]` in, NHWC heatmaps `[N, h, w, K]` out. */
export interface HeatmapNetwork {
  predict(images: tf.Tensor4D): tf.Tensor4D;
  dispose(): void;
}

/** An HRNet built from its config with a PyTorch state dict loaded (names and shapes checked). */
export function hrnetNetwork(config: HRNetConfig, stateDict: ReadonlyMap<string, NdArray>): HeatmapNetwork {
  const net = new PoseHighResolutionNet(config);
  try {
    loadStateDict(net, stateDict);
  } catch (error) {
    net.dispose();
    throw error;
  }
  return net;
}

function requireFile(files: ReadonlyMap<string, Uint8Array>, name: string, card: ModelCard): Uint8Array {
  const bytes = files.get(name);
  if (bytes === undefined) throw new Error(`${card.id}: weight file ${name} was not provided`);
  return bytes;
}

/**
 * Builds a card's network from the bytes of its published weight files, by file name: a PyTorch checkpoint
 * for HRNet cards (official or MMPose keys), the ncnn `.param` and `.bin` for PP-TinyPose.
 */
export function networkFromFiles(card: ModelCard, files: ReadonlyMap<string, Uint8Array>): HeatmapNetwork {
  const { config } = card;
  if (isHRNetConfig(config)) {
    const [name] = files.keys();
    if (name === undefined || files.size !== 1) {
      throw new Error(`${card.id}: expected one checkpoint file, got ${files.size}`);
    }
    return hrnetNetwork(config, readStateDict(files.get(name)!, name));
  }
  const param = new TextDecoder().decode(requireFile(files, config.param, card));
  const [width, height] = card.inputSize;
  return NcnnModel.load(param, requireFile(files, config.bin, card), {
    source: config.param,
    inputShape: [height, width, 3],
  });
}
