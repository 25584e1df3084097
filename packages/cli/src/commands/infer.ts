import { parseArgs } from 'node:util';
import {
  BACKEND_NAMES,
  type NdArray,
  nchwToNhwc,
  ndArrayFromTensor,
  nhwcToNchw,
  setBackend,
  tensorFromNdArray,
  toFloat32,
} from '@hrnet/core';
import { readNpyFile, writeNpyFile } from '@hrnet/core/node';
import { COCO_KEYPOINTS, MPII_KEYPOINTS } from '@hrnet/decode';
import { flipTestNchw, isNchwNetwork, type NchwShape, predictWithFlipTest } from '@hrnet/models-zoo';
import * as tf from '@tensorflow/tfjs-core';
import { backendOption, RUNTIME_HELP, required, runtimeOption } from '../args';
import { UsageError } from '../errors';
import { loadModelOptions, withRuntime } from '../model';

export const inferHelp = `Usage: hrnet infer --config <yaml|preset> --weights <checkpoint.pth> --input x.npy --output y.npy [--backend cpu] [--runtime onnx]
       hrnet infer --model <zoo id|converted dir> --input x.npy --output y.npy [--flip-test] [--backend cpu] [--runtime onnx]

Runs the raw network forward (eval mode) on an NCHW float32 array and writes the heatmaps as NCHW .npy.

Options:
  --config     official HRNet YAML config, or a preset: w32-coco-256x192, w48-coco-384x288, w32-mpii-256x256, ...
  --weights    PyTorch checkpoint (.pth, zip or legacy format; official or MMPose keys)
  --model      instead of --config/--weights: a folder written by 'hrnet convert', or a model zoo id
               (hrnet-w32-coco-256x192, ...; weights from HRNET_CACHE, HRNET_WEIGHTS_DIR or downloaded)
  --input      .npy float32 array [N, 3, H, W] (normalised images; H and W multiples of 32)
  --output     .npy path for the heatmaps [N, K, H/4, W/4] (written atomically)
  --flip-test  average with the flipped-back heatmaps of the mirrored input, as the official validate()
               (COCO flip pairs for 17 keypoints, MPII for 16; heatmaps shifted one pixel)
  --backend    ${BACKEND_NAMES.join(' | ')} (default cpu)
${RUNTIME_HELP}
Example:
  hrnet infer --config w32-coco-256x192 --weights pose_hrnet_w32_256x192.pth --input batch.npy --output heatmaps.npy --backend wasm
  hrnet infer --model hrnet-w32-coco-256x192 --flip-test --input batch.npy --output heatmaps.npy
  hrnet infer --config w32-coco-256x192 --weights pose_hrnet_w32_256x192.pth --runtime onnx --input batch.npy --output heatmaps.npy
`;

/** `hrnet infer`: network forward of an NCHW .npy file. */
export async function infer(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      weights: { type: 'string' },
      model: { type: 'string' },
      'flip-test': { type: 'boolean', default: false },
      input: { type: 'string' },
      output: { type: 'string' },
      backend: { type: 'string', default: 'cpu' },
      runtime: { type: 'string', default: 'tfjs' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(inferHelp);
    return 0;
  }
  const backend = backendOption(values.backend);
  const runtime = runtimeOption(values.runtime);
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
  const { model, network } = await withRuntime(await loadModelOptions(values), runtime);
  try {
    const keypoints = model.keypointSet === 'mpii' ? MPII_KEYPOINTS : COCO_KEYPOINTS;
    const flipPairs = values['flip-test'] ? keypoints.flipPairs : undefined;
    let output: NdArray;
    if (isNchwNetwork(network)) {
      const data = toFloat32(input);
      const shape = input.shape as NchwShape;
      const run = (x: Float32Array, s: NchwShape) => network.run(x, s);
      const heatmaps = await (flipPairs ? flipTestNchw(run, data, shape, flipPairs) : run(data, shape));
      output = { dtype: 'float32', shape: heatmaps.shape, data: heatmaps.data };
    } else {
      const predict = (images: tf.Tensor4D) => network.predict(images);
      const heatmaps = tf.tidy(() => {
        const images = nchwToNhwc(tensorFromNdArray(input) as tf.Tensor4D);
        return nhwcToNchw(flipPairs ? predictWithFlipTest(predict, images, flipPairs) : predict(images));
      });
      output = await ndArrayFromTensor(heatmaps);
      heatmaps.dispose();
    }
    await writeNpyFile(outputPath, output);
    process.stderr.write(
      `hrnet infer${flipPairs ? ' (flip test)' : ''} [${runtime}]: ${n}x3x${h}x${w} -> [${output.shape.join(', ')}] written to ${outputPath}\n`,
    );
  } finally {
    network.dispose();
  }
  return 0;
}
