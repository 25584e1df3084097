import * as tf from '@tensorflow/tfjs-core';
import { BLOCK_EXPANSION, residualLayer } from './blocks';
import type { HRNetConfig, StageConfig } from './config';
import { HighResolutionModule } from './hr-module';
import { MultiScaleHead } from './multi-scale-head';
import type { OnnxGraphBuilder } from './onnx/graph-builder';
import { unitToOnnx } from './onnx/unit';
import { StateStore } from './state';
import { Conv2d, ConvBatchNorm, type ForwardMode, Sequential, type Unit } from './units';

/** Width of the stem and of stage 1 (four Bottlenecks of 64 planes, 256 channels out), fixed in the official code. */
const STEM_CHANNELS = 64;
const STAGE1_BLOCKS = 4;

/**
 * The transition between stages (official `_make_transition_layer`): existing streams get a 3x3 conv only if
 * their width changes; each new, lower-resolution stream is made from the lowest existing one by strided 3x3
 * convs. `undefined` marks a stream passed through unchanged.
 */
function transition(
  store: StateStore,
  name: string,
  previous: readonly number[],
  current: readonly number[],
): (Unit | undefined)[] {
  return current.map((channels, i) => {
    if (i < previous.length) {
      if (channels === previous[i]) return undefined;
      const names = { conv: `${name}.${i}.0`, bn: `${name}.${i}.1` };
      return new ConvBatchNorm(store, names, previous[i]!, channels, { kernel: 3, padding: 1 }, 'relu');
    }
    const steps: Unit[] = [];
    const from = previous[previous.length - 1]!;
    for (let j = 0; j <= i - previous.length; j++) {
      const out = j === i - previous.length ? channels : from;
      const names = { conv: `${name}.${i}.${j}.0`, bn: `${name}.${i}.${j}.1` };
      steps.push(new ConvBatchNorm(store, names, from, out, { kernel: 3, stride: 2, padding: 1 }, 'relu'));
    }
    return new Sequential(steps);
  });
}

/** A stage: its high-resolution modules in sequence (official `_make_stage`). */
function stage(
  store: StateStore,
  name: string,
  config: StageConfig,
  inChannels: readonly number[],
  multiScaleOutput: boolean,
  exchange: HRNetConfig['exchange'],
): { modules: HighResolutionModule[]; outChannels: number[] } {
  const modules: HighResolutionModule[] = [];
  let channels = [...inChannels];
  for (let m = 0; m < config.numModules; m++) {
    const lastModule = m === config.numModules - 1;
    const module = new HighResolutionModule(
      store,
      `${name}.${m}`,
      config.block,
      config.numBlocks,
      channels,
      config.numChannels,
      multiScaleOutput || !lastModule,
      exchange,
    );
    modules.push(module);
    channels = module.outChannels;
  }
  return { modules, outChannels: channels };
}

function stageWidths(config: StageConfig): number[] {
  return config.numChannels.map((c) => c * BLOCK_EXPANSION[config.block]);
}

/**
 * HRNet for top-down pose estimation (Sun et al., CVPR 2019), built as the official `PoseHighResolutionNet`:
 * stem (two stride-2 3x3 convs), stage 1 (Bottlenecks), then stages 2-4 that add one lower-resolution stream
 * each and exchange information between streams after every module; heatmaps come from a conv on the
 * high-resolution stream. Tensors are NHWC; variables carry the PyTorch state-dict names (see {@link state}).
 *
 * @example
 * ```ts
 * const net = new PoseHighResolutionNet(hrnetPreset('w32-coco-256x192'));
 * const heatmaps = net.predict(tf.zeros([1, 256, 192, 3])); // [1, 64, 48, 17]
 * ```
 */
export class PoseHighResolutionNet {
  /** The network's state (parameters and BatchNorm buffers) by PyTorch state-dict key. */
  readonly state: StateStore;
  readonly config: HRNetConfig;

  private readonly stem: Sequential;
  private readonly layer1: Sequential;
  private readonly transitions: (Unit | undefined)[][] = [];
  private readonly stages: HighResolutionModule[][] = [];
  private readonly finalLayer: Conv2d;
  private readonly multiScaleHead: MultiScaleHead | undefined;

  /**
   * Builds the network with the official initialisation for training from scratch: every conv kernel drawn from
   * N(0, 0.001²), conv biases 0, BatchNorm weight 1 and bias 0, running statistics 0 and 1.
   * @param options.seed makes that initialisation reproducible
   */
  constructor(config: HRNetConfig, options: { seed?: number } = {}) {
    this.config = config;
    this.state = new StateStore(options.seed);
    const s = this.state;
    const strided = { kernel: 3, stride: 2, padding: 1 };
    this.stem = new Sequential([
      new ConvBatchNorm(s, { conv: 'conv1', bn: 'bn1' }, 3, STEM_CHANNELS, strided, 'relu'),
      new ConvBatchNorm(s, { conv: 'conv2', bn: 'bn2' }, STEM_CHANNELS, STEM_CHANNELS, strided, 'relu'),
    ]);
    const stage1 = residualLayer(s, 'layer1', 'BOTTLENECK', STEM_CHANNELS, STEM_CHANNELS, STAGE1_BLOCKS);
    this.layer1 = stage1.layer;

    let previous = [stage1.outChannels];
    const stageConfigs = [config.stage2, config.stage3, config.stage4];
    stageConfigs.forEach((stageConfig, i) => {
      const widths = stageWidths(stageConfig);
      this.transitions.push(transition(s, `transition${i + 1}`, previous, widths));
      const last = i === stageConfigs.length - 1;
      const multiScale = !last || config.head === 'multi-scale';
      const built = stage(s, `stage${i + 2}`, stageConfig, widths, multiScale, config.exchange);
      this.stages.push(built.modules);
      previous = built.outChannels;
    });
    const k = config.finalConvKernel;
    this.finalLayer = new Conv2d(s, 'final_layer', previous[0]!, config.numJoints, {
      kernel: k,
      padding: k === 3 ? 1 : 0,
      bias: true,
    });
    this.multiScaleHead =
      config.head === 'multi-scale' ? new MultiScaleHead(s, previous, config.numJoints) : undefined;
  }

  /**
   * Runs the network on an NHWC batch `[N, H, W, 3]` and returns heatmaps `[N, H/4, W/4, K]`.
   * In training mode BatchNorm uses batch statistics and updates its running statistics, as PyTorch's
   * `model.train()`; otherwise it uses the running statistics (`model.eval()`).
   */
  forward(images: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
    if (images.rank !== 4 || images.shape[3] !== 3) {
      throw new Error(
        `PoseHighResolutionNet expects NHWC images [N, H, W, 3], got [${images.shape.join(', ')}]`,
      );
    }
    const [, height, width] = images.shape;
    if (height % 32 !== 0 || width % 32 !== 0) {
      // Four streams at 1/4..1/32 resolution must upsample back onto each other exactly.
      throw new Error(
        `PoseHighResolutionNet needs height and width that are multiples of 32, got ${height}x${width}`,
      );
    }
    const x = this.layer1.forward(this.stem.forward(images, mode), mode);
    let streams = [x];
    this.stages.forEach((modules, i) => {
      // As in the official forward, every transition unit reads the lowest-resolution stream.
      const lowest = streams[streams.length - 1]!;
      const inputs = this.transitions[i]!.map((t, b) =>
        t === undefined ? streams[b]! : t.forward(lowest, mode),
      );
      streams = modules.reduce((ys, module) => module.forward(ys, mode), inputs);
    });
    const heatmaps = this.finalLayer.forward(streams[0]!);
    return this.multiScaleHead ? this.multiScaleHead.forward(heatmaps, streams, mode) : heatmaps;
  }

  /**
   * Appends the inference forward to an ONNX graph (NCHW, BatchNorm folded into the convolutions) and returns
   * the heatmaps' tensor name; see `exportOnnx`. The official high-resolution head only.
   */
  toOnnx(graph: OnnxGraphBuilder, input: string): string {
    if (this.multiScaleHead !== undefined) {
      throw new Error('ONNX export: the multi-scale head is not supported');
    }
    const x = this.layer1.toOnnx(graph, this.stem.toOnnx(graph, input));
    let streams = [x];
    this.stages.forEach((modules, i) => {
      const lowest = streams[streams.length - 1]!;
      const inputs = this.transitions[i]!.map((t, b) =>
        t === undefined ? streams[b]! : unitToOnnx(t, graph, lowest),
      );
      streams = modules.reduce((ys, module) => module.toOnnx(graph, ys), inputs);
    });
    return this.finalLayer.toOnnx(graph, streams[0]!);
  }

  /** Inference forward (running BatchNorm statistics) inside `tf.tidy`. */
  predict(images: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.forward(images, { training: false }));
  }

  /** Trainable variables in PyTorch's `model.parameters()` order. */
  parameters(): tf.Variable[] {
    return this.state.parameters();
  }

  /** Number of trainable scalars (28,536,113 for W32 COCO, 63,595,745 for W48 COCO). */
  parameterCount(): number {
    return this.parameters().reduce((n, v) => n + v.size, 0);
  }

  /** Frees all variables. */
  dispose(): void {
    this.state.dispose();
  }
}
