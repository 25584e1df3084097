import { ONNX_INPUT, ONNX_OUTPUT } from '@hrnet/layers';
import * as ort from 'onnxruntime-node';

/**
 * Runs an exported model (input {@link ONNX_INPUT}, output {@link ONNX_OUTPUT}, as `exportOnnx` and
 * `NcnnModel.toOnnx` write them)
 * once on onnxruntime-node's CPU provider and returns the heatmaps with their dims.
 */
export async function runOnnxModel(
  model: Uint8Array,
  data: Float32Array,
  shape: readonly number[],
): Promise<{ data: Float32Array; dims: number[] }> {
  const session = await ort.InferenceSession.create(model);
  try {
    const result = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', data, [...shape]) });
    const heatmaps = result[ONNX_OUTPUT];
    if (heatmaps === undefined) throw new Error(`the ONNX model has no output named '${ONNX_OUTPUT}'`);
    return { data: heatmaps.data as Float32Array, dims: [...heatmaps.dims] };
  } finally {
    await session.release();
  }
}
