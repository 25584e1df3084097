import { readFile } from 'node:fs/promises';
import { BACKEND_NAMES, type BackendName } from '@hrnet/core';
import { INFERENCE_RUNTIMES, type InferenceRuntime } from '@hrnet/models-zoo';
import { UsageError } from './errors';

/** A string option that must be present. */
export function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`missing --${name}`);
  return value;
}

/** `--backend`, checked against the backends `setBackend` knows. */
export function backendOption(value: string | undefined): BackendName {
  const backend = (value ?? 'cpu') as BackendName;
  if (!BACKEND_NAMES.includes(backend)) {
    throw new UsageError(`--backend ${value}: expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  return backend;
}

/** `--runtime`: tfjs (the `--backend`) or onnx (the exported model on onnxruntime-node). */
export function runtimeOption(value: string | undefined): InferenceRuntime {
  const runtime = (value ?? 'tfjs') as InferenceRuntime;
  if (!INFERENCE_RUNTIMES.includes(runtime)) {
    throw new UsageError(`--runtime ${value}: expected one of ${INFERENCE_RUNTIMES.join(', ')}`);
  }
  return runtime;
}

/** Help line of `--runtime`, shared by infer, predict and eval. */
export const RUNTIME_HELP = `  --runtime        tfjs | onnx (default tfjs). onnx exports the HRNet to ONNX (BatchNorm folded) and runs it
                   with onnxruntime-node on the CPU (optional package: npm i onnxruntime-node); --backend is
                   then only used to load the weights
`;

/** Reads and parses a JSON file named by an option, with one-line errors for a missing file or invalid JSON. */
export async function readJsonOption(path: string, option: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new Error(
      `--${option} ${path}: ${code === 'ENOENT' ? 'file not found' : (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`--${option} ${path}: not valid JSON (${(error as Error).message})`);
  }
}

const DECODE_METHODS = ['official', 'dark', 'udp'] as const;

/** `--decode`: how heatmaps become coordinates. */
export function decodeOption(value: string | undefined): (typeof DECODE_METHODS)[number] {
  const method = (value ?? 'official') as (typeof DECODE_METHODS)[number];
  if (!DECODE_METHODS.includes(method)) {
    throw new UsageError(`--decode ${value}: expected one of ${DECODE_METHODS.join(', ')}`);
  }
  return method;
}
