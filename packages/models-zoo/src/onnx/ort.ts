/**
 * The part of the ONNX Runtime JavaScript API this package uses; `onnxruntime-node` and `onnxruntime-web` both
 * provide it (their shared `onnxruntime-common` interface), so either module can be passed where an
 * {@link OrtModule} is expected.
 */
export interface OrtModule {
  readonly InferenceSession: {
    create(model: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession>;
  };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/** ONNX Runtime session options used here (a subset of `InferenceSession.SessionOptions`). */
export interface OrtSessionOptions {
  /** e.g. `['cpu']`, `['cuda', 'cpu']` (Node), `['webgpu', 'wasm']` (browser). */
  executionProviders?: string[];
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  intraOpNumThreads?: number;
}

export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  dispose?(): void;
}

export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/** Thrown when no ONNX Runtime package can be loaded; the message says what to install. */
export class OnnxRuntimeUnavailableError extends Error {
  override name = 'OnnxRuntimeUnavailableError';
}

/**
 * Imports an optional ONNX Runtime package by a name computed at run time (bundlers leave it alone; a browser
 * app that bundles `onnxruntime-web` should pass its module as `ort` instead).
 */
export async function importOnnxRuntime(
  specifier: 'onnxruntime-node' | 'onnxruntime-web',
): Promise<OrtModule> {
  try {
    const module = (await import(/* @vite-ignore */ specifier)) as OrtModule & { default?: OrtModule };
    return module.InferenceSession === undefined && module.default !== undefined ? module.default : module;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new OnnxRuntimeUnavailableError(
      `the onnx runtime needs the optional package '${specifier}' (${detail}); install it with 'npm i ${specifier}'`,
    );
  }
}
