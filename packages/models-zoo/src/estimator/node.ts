import { readFile } from 'node:fs/promises';
import { type BackendName, setBackend } from '@hrnet/core';
import { decodeImageBytes, decodeImageFile } from '@hrnet/datasets/node';
import type { Pose } from '@hrnet/decode';
import { networkForRuntime, type RuntimeOptions } from '../onnx/runtime';
import type { DownloadProgress } from '../weights/download';
import { loadConvertedCheckpoint } from '../weights/node/converted-dir';
import { resolveWeights } from '../weights/node/resolve-weights';
import { getModelCard, type ModelCard } from '../zoo/cards';
import type { ImageInput } from './image';
import { type HeatmapNetwork, hrnetNetwork, networkFromFiles } from './network';
import { type EstimatePosesOptions, PoseEstimator } from './pose-estimator';

/** In Node an image may also be a file path or the encoded bytes of a JPEG/PNG/WebP file. */
export type NodeImageInput = ImageInput | string | Buffer;

/** A {@link PoseEstimator} that also takes image paths and encoded image bytes (decoded with sharp). */
export class NodePoseEstimator extends PoseEstimator {
  override async estimatePoses(image: NodeImageInput, options: EstimatePosesOptions = {}): Promise<Pose[]> {
    if (typeof image === 'string') return super.estimatePoses(await decodeImageFile(image), options);
    if (Buffer.isBuffer(image))
      return super.estimatePoses(await decodeImageBytes(image, '<image buffer>'), options);
    return super.estimatePoses(image, options);
  }
}

/** Options of the Node {@link createPoseEstimator}; `runtime: 'onnx'` uses `onnxruntime-node` by default. */
export interface CreateNodePoseEstimatorOptions extends RuntimeOptions {
  /** A zoo id (`pp-tinypose-256x192`, `hrnet-w32-coco-256x192`, ...) or a card. */
  readonly model: string | ModelCard;
  /** tfjs backend to activate first (`cpu`, `wasm`, `webgpu`, `tensorflow`); default: the active one. */
  readonly backend?: BackendName;
  /** Local mirror `<dir>/<family>/<file name>`; default `HRNET_WEIGHTS_DIR`. */
  readonly weightsDir?: string;
  /** Cache folder; default `HRNET_CACHE`, else `~/.cache/hrnet`. */
  readonly cacheDir?: string;
  readonly onProgress?: (progress: DownloadProgress) => void;
}

/** Where {@link loadZooNetwork} looks for weights. */
export type ZooWeightsOptions = Omit<
  CreateNodePoseEstimatorOptions,
  'model' | 'backend' | keyof RuntimeOptions
>;

/**
 * A zoo model's network in Node: weights from the cache, the local mirror (`HRNET_WEIGHTS_DIR`) or the card's
 * URL, verified, and for HRNet converted once to tfjs weights. Never random weights: without a source it
 * throws `WeightsUnavailableError` saying what to download and where to put it.
 */
export async function loadZooNetwork(
  card: ModelCard,
  options: ZooWeightsOptions = {},
): Promise<HeatmapNetwork> {
  const resolved = await resolveWeights(card, {
    ...(options.weightsDir !== undefined ? { weightsDir: options.weightsDir } : {}),
    ...(options.cacheDir !== undefined ? { cacheDir: options.cacheDir } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  if (resolved.tfjsDir !== undefined) {
    const { config, stateDict } = await loadConvertedCheckpoint(resolved.tfjsDir);
    return hrnetNetwork(config, stateDict);
  }
  const files = new Map<string, Uint8Array>();
  for (const file of resolved.files) files.set(file.fileName, await readFile(file.path));
  return networkFromFiles(card, files);
}

/**
 * Loads a zoo model in Node (see {@link loadZooNetwork}) and returns a {@link NodePoseEstimator}.
 *
 * @example
 * ```ts
 * const estimator = await createPoseEstimator({ model: 'pp-tinypose-256x192', backend: 'wasm' });
 * const [pose] = await estimator.estimatePoses('person.jpg', { people: [{ box: [120, 40, 180, 420] }] });
 * ```
 */
export async function createPoseEstimator(
  options: CreateNodePoseEstimatorOptions,
): Promise<NodePoseEstimator> {
  const { model, backend, runtime, ort, onnx, ...weights } = options;
  const card = typeof model === 'string' ? getModelCard(model) : model;
  if (backend !== undefined) await setBackend(backend);
  const network = await loadZooNetwork(card, weights);
  const runtimeOptions = {
    ...(runtime ? { runtime } : {}),
    ...(ort ? { ort } : {}),
    ...(onnx ? { onnx } : {}),
  };
  return new NodePoseEstimator(card, await networkForRuntime(network, runtimeOptions, 'onnxruntime-node'));
}
