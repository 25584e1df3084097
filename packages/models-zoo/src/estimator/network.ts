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

/** An NCHW shape `[N, C, H, W]`. */
export type NchwShape = [number, number, number, number];

/** Heatmaps `[N, K, h, w]` as a flat float32 array. */
export interface NchwHeatmaps {
  readonly data: Float32Array;
  readonly shape: NchwShape;
}

/**
 * A pose network that runs outside tfjs, asynchronously, on flat NCHW float32 arrays (ONNX Runtime): normalised
 * crops `[N, 3, H, W]` in, heatmaps `[N, K, h, w]` out.
 */
export interface NchwHeatmapNetwork {
  readonly layout: 'nchw';
  run(images: Float32Array, shape: NchwShape): Promise<NchwHeatmaps>;
  dispose(): void;
}

/** Any network a `PoseEstimator` can run: tfjs (NHWC tensors) or NCHW arrays (ONNX Runtime). */
export type PoseNetwork = HeatmapNetwork | NchwHeatmapNetwork;

/** Whether a network runs on NCHW arrays (see {@link NchwHeatmapNetwork}). */
export function isNchwNetwork(network: PoseNetwork): network is NchwHeatmapNetwork {
  return 'layout' in network && network.layout === 'nchw';
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
