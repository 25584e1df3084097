import type { HeatmapNetwork, PoseNetwork } from '../estimator/network';
import { toOnnxNetwork } from './onnx-network';
import { importOnnxRuntime, type OrtModule, type OrtSessionOptions } from './ort';

/** What runs the network: tfjs (the active backend) or ONNX Runtime on the exported model. */
export type InferenceRuntime = 'tfjs' | 'onnx';

/** All runtimes, in the order the CLI lists them. */
export const INFERENCE_RUNTIMES: readonly InferenceRuntime[] = ['tfjs', 'onnx'];

/** Options choosing the runtime of a loaded network. */
export interface RuntimeOptions {
  /** Default `tfjs`. `onnx` exports HRNet to ONNX and runs it with ONNX Runtime. */
  readonly runtime?: InferenceRuntime;
  /** The ONNX Runtime module; default: `onnxruntime-node` in Node, `onnxruntime-web` elsewhere (optional packages). */
  readonly ort?: OrtModule;
  /** ONNX Runtime session options, e.g. `{ executionProviders: ['cuda', 'cpu'] }` or `['webgpu', 'wasm']`. */
  readonly onnx?: OrtSessionOptions;
}

/**
 * The network for the chosen runtime: as is for tfjs; for `onnx`, exported and opened with ONNX Runtime (the
 * tfjs network is freed).
 */
export async function networkForRuntime(
  network: HeatmapNetwork,
  options: RuntimeOptions,
  defaultOrt: 'onnxruntime-node' | 'onnxruntime-web',
): Promise<PoseNetwork> {
  if ((options.runtime ?? 'tfjs') === 'tfjs') return network;
  let ort = options.ort;
  if (ort === undefined) {
    try {
      ort = await importOnnxRuntime(defaultOrt);
    } catch (error) {
      network.dispose();
      throw error;
    }
  }
  return toOnnxNetwork(network, ort, options.onnx ?? {});
}
