import { parseArgs } from 'node:util';
import {
  BACKEND_NAMES,
  type BackendName,
  nchwToNhwc,
  ndArrayFromTensor,
  nhwcToNchw,
  setBackend,
  tensorFromNdArray,
} from '@hrnet/core';
import { readNpyFile, writeNpyFile } from '@hrnet/core/node';
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../errors';
import { loadNetwork, resolveConfig } from '../model';

export const inferHelp = `Usage: hrnet infer --config <yaml|preset> --weights <checkpoint.pth> --input x.npy --output y.npy [--backend cpu]

Runs the raw network forward (eval mode) on an NCHW float32 array and writes the heatmaps as NCHW .npy.

Options:
  --config   official HRNet YAML config, or a preset: w32-coco-256x192, w48-coco-384x288, w32-mpii-256x256, ...
  --weights  PyTorch checkpoint (.pth, zip or legacy format; official or MMPose keys)
  --input    .npy float32 array [N, 3, H, W] (normalised images; H and W multiples of 32)
  --output   .npy path for the heatmaps [N, K, H/4, W/4] (written atomically)
  --backend  ${BACKEND_NAMES.join(' | ')} (default cpu)

Example:
  hrnet infer --config w32-coco-256x192 --weights pose_hrnet_w32_256x192.pth --input batch.npy --output heatmaps.npy --backend wasm
`;

function required(values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`missing --${name}`);
  return value;
}

/** `hrnet infer`: network forward of an NCHW .npy file. */
export async function infer(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      weights: { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string' },
      backend: { type: 'string', default: 'cpu' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(inferHelp);
    return 0;
  }
  const backend = values.backend as BackendName;
  if (!BACKEND_NAMES.includes(backend)) {
    throw new UsageError(`--backend ${values.backend}: expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  const config = resolveConfig(required(values, 'config'));
  const weights = required(values, 'weights');
  const inputPath = required(values, 'input');
  const outputPath = required(values, 'output');

  const input = await readNpyFile(inputPath);
  const [n, c, h, w] = input.shape;
  if (input.dtype !== 'float32' || input.shape.length !== 4 || c !== 3) {
    throw new UsageError(
      `--input ${inputPath}: expected a float32 NCHW array [N, 3, H, W], got ${input.dtype} [${input.shape.join(', ')}]`,
    );
  }
  await setBackend(backend);
  const net = await loadNetwork(config, weights);
  try {
    const heatmaps = tf.tidy(() =>
      nhwcToNchw(net.predict(nchwToNhwc(tensorFromNdArray(input) as tf.Tensor4D))),
    );
    const output = await ndArrayFromTensor(heatmaps);
    heatmaps.dispose();
    await writeNpyFile(outputPath, output);
    process.stderr.write(
      `hrnet infer: ${n}x3x${h}x${w} -> [${output.shape.join(', ')}] written to ${outputPath}\n`,
    );
  } finally {
    net.dispose();
  }
  return 0;
}
