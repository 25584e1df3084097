import { type BackendName, setBackend } from '@hrnet/core';
import { networkForRuntime, type RuntimeOptions } from '../onnx/runtime';
import type { DownloadProgress } from '../weights/download';
import { IndexedDbWeightsCache } from '../weights/indexeddb-cache';
import { fetchCardWeights } from '../weights/resolve';
import type { WeightsCache, WeightsStore } from '../weights/storage';
import { getModelCard, type ModelCard } from '../zoo/cards';
import { networkFromFiles } from './network';
import { PoseEstimator } from './pose-estimator';

/**
 * Options of {@link createPoseEstimator} (browser and other `fetch` runtimes); `runtime: 'onnx'` uses
 * `onnxruntime-web` by default (pass `ort: await import('onnxruntime-web')` from a bundled app).
 */
export interface CreatePoseEstimatorOptions extends RuntimeOptions {
  /** A zoo id (`pp-tinypose-256x192`, `hrnet-w32-coco-256x192`, ...) or a card. */
  readonly model: string | ModelCard;
  /** tfjs backend to activate first (`webgl`, `webgpu`, `wasm`, ...); default: the active one. */
  readonly backend?: BackendName;
  /** The weight files' bytes by published file name, e.g. chosen by the user; skips download and cache. */
  readonly files?: ReadonlyMap<string, Uint8Array>;
  /** Where verified downloads are kept; default IndexedDB (`hrnet-weights`). */
  readonly cache?: WeightsCache;
  /** A read-only mirror laid out as `<family>/<file name>`, tried before downloading. */
  readonly mirror?: WeightsStore;
  readonly onProgress?: (progress: DownloadProgress) => void;
}

/**
 * Loads a zoo model and returns a {@link PoseEstimator}. Weights come from `files`, else from the cache, the
 * mirror or the card's URL (SHA-256 verified). Node has its own `createPoseEstimator` in
 * `@hrnet/models-zoo/node` (file cache, `HRNET_WEIGHTS_DIR`, image paths).
 *
 * @example
 * ```ts
 * const estimator = await createPoseEstimator({ model: 'pp-tinypose-256x192', backend: 'webgl' });
 * const poses = await estimator.estimatePoses(imageElement, { flipTest: true });
 * ```
 */
export async function createPoseEstimator(options: CreatePoseEstimatorOptions): Promise<PoseEstimator> {
  const card = typeof options.model === 'string' ? getModelCard(options.model) : options.model;
  if (options.backend !== undefined) await setBackend(options.backend);
  const files =
    options.files ??
    (await fetchCardWeights(card, {
      cache: options.cache ?? new IndexedDbWeightsCache(),
      ...(options.mirror ? { mirror: options.mirror } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    }));
  return new PoseEstimator(
    card,
    await networkForRuntime(networkFromFiles(card, files), options, 'onnxruntime-web'),
  );
}
