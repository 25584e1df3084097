import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT, PoseHighResolutionNet } from '@hrnet/layers';
import type { HeatmapNetwork, NchwHeatmapNetwork, NchwHeatmaps, NchwShape } from '../estimator/network';
import { NcnnModel } from '../ncnn';
import type { OrtModule, OrtSession, OrtSessionOptions } from './ort';

/**
 * A pose network run by ONNX Runtime on NCHW float32 arrays: the model exported by `exportOnnx` (or any ONNX
 * model with an `input` `[N, 3, H, W]` and a `heatmaps` `[N, K, h, w]`).
 */
export class OnnxHeatmapNetwork implements NchwHeatmapNetwork {
  readonly layout = 'nchw';

  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
  ) {}

  /** Opens an ONNX model (its bytes) in a new session. */
  static async create(
    ort: OrtModule,
    model: Uint8Array,
    options: OrtSessionOptions = {},
  ): Promise<OnnxHeatmapNetwork> {
    const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all', ...options });
    return new OnnxHeatmapNetwork(ort, session);
  }

  async run(images: Float32Array, shape: NchwShape): Promise<NchwHeatmaps> {
    const input = new this.ort.Tensor('float32', images, shape);
    const outputs = await this.session.run({ [ONNX_INPUT]: input });
    const heatmaps = outputs[ONNX_OUTPUT];
    if (heatmaps === undefined) throw new Error(`ONNX model has no output named '${ONNX_OUTPUT}'`);
    const [n, k, h, w] = heatmaps.dims as NchwShape;
    return { data: heatmaps.data as Float32Array, shape: [n, k, h, w] };
  }

  dispose(): void {
    void this.session.release();
  }
}

/**
 * Moves a loaded network to ONNX Runtime: exports it (an HRNet with `exportOnnx`, BatchNorm folded; an ncnn
 * model such as PP-TinyPose with `NcnnModel.toOnnx`), opens the model and frees the tfjs network.
 */
export async function toOnnxNetwork(
  network: HeatmapNetwork,
  ort: OrtModule,
  options: OrtSessionOptions = {},
): Promise<OnnxHeatmapNetwork> {
  try {
    if (network instanceof PoseHighResolutionNet)
      return await OnnxHeatmapNetwork.create(ort, exportOnnx(network), options);
    if (network instanceof NcnnModel) return await OnnxHeatmapNetwork.create(ort, network.toOnnx(), options);
    throw new Error('the onnx runtime runs HRNet and ncnn models (those the zoo loads)');
  } finally {
    network.dispose();
  }
}
