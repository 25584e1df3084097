import type { PoseHighResolutionNet } from '../pose-hrnet';
import { OnnxGraphBuilder } from './graph-builder';

/** Name of the exported graph's input: normalised NCHW float32 images `[N, 3, H, W]`. */
export const ONNX_INPUT = 'input';
/** Name of the exported graph's output: NCHW heatmaps `[N, K, H/4, W/4]`. */
export const ONNX_OUTPUT = 'heatmaps';

/**
 * Exports a network's inference forward as an ONNX model (opset 17), written directly from the layer graph:
 * every conv+BatchNorm becomes one `Conv` with the BatchNorm folded in (the weights the tfjs inference uses),
 * upsampling becomes `Resize` (nearest, asymmetric, floor: PyTorch's `nn.Upsample`). The graph is NCHW with a
 * dynamic batch dimension `N`: input {@link ONNX_INPUT} `[N, 3, H, W]` (H, W from `config.imageSize`), output
 * {@link ONNX_OUTPUT} `[N, K, H/4, W/4]`. Runs with ONNX Runtime (Node, web) or any ONNX runtime.
 *
 * @example
 * ```ts
 * const net = new PoseHighResolutionNet(hrnetPreset('w32-coco-256x192'));
 * loadStateDict(net, await readStateDictFile('pose_hrnet_w32_256x192.pth'));
 * writeFileSync('hrnet-w32.onnx', exportOnnx(net));
 * ```
 */
export function exportOnnx(net: PoseHighResolutionNet): Uint8Array {
  const [width, height] = net.config.imageSize;
  const graph = new OnnxGraphBuilder('PoseHighResolutionNet');
  graph.addInput(ONNX_INPUT, ['N', 3, height, width]);
  const heatmaps = net.toOnnx(graph, ONNX_INPUT);
  graph.addOutput(heatmaps, ONNX_OUTPUT, ['N', net.config.numJoints, height / 4, width / 4]);
  return graph.toModelProto();
}
