import { foldBatchNorm } from '@hrnet/core';
import * as tf from '@tensorflow/tfjs-core';
import type { OnnxGraphBuilder } from './onnx/graph-builder';
import { onnxConvWeight, unitToOnnx } from './onnx/unit';
import type { StateStore } from './state';

/** PyTorch's BatchNorm2d defaults, which the official HRNet uses (BN_MOMENTUM = 0.1). */
export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/** Standard deviation of the official initialisation of every convolution kernel. */
export const CONV_INIT_STD = 0.001;

/** Whether a forward pass trains (batch statistics, running-statistics updates) or infers (running statistics). */
export interface ForwardMode {
  training: boolean;
}

/** A piece of the network: NHWC in, NHWC out. */
export interface Unit {
  forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D;
  /** Appends the inference graph (NCHW) to an ONNX graph and returns its output's name (see `exportOnnx`). */
  toOnnx?(graph: OnnxGraphBuilder, input: string): string;
}

/** `nn.Conv2d` with PyTorch's explicit symmetric zero padding (never tfjs 'same', which pads strided convs differently). */
export class Conv2d implements Unit {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly stride: number;
  readonly padding: number;

  constructor(
    store: StateStore,
    name: string,
    inChannels: number,
    outChannels: number,
    options: { kernel: number; stride?: number; padding?: number; bias?: boolean },
  ) {
    this.kernel = store.convKernel(`${name}.weight`, outChannels, inChannels, options.kernel, CONV_INIT_STD);
    this.bias = options.bias ? store.vector(`${name}.bias`, 'parameter', outChannels, 0) : undefined;
    this.stride = options.stride ?? 1;
    this.padding = options.padding ?? 0;
  }

  forward(x: tf.Tensor4D): tf.Tensor4D {
    const y = tf.conv2d(x, this.kernel as tf.Tensor4D, this.stride, this.padding);
    return this.bias === undefined ? y : tf.add(y, this.bias);
  }

  toOnnx(graph: OnnxGraphBuilder, input: string): string {
    const bias = this.bias === undefined ? undefined : (this.bias.dataSync() as Float32Array);
    return graph.conv(input, {
      ...onnxConvWeight(this.kernel as tf.Tensor4D),
      bias,
      stride: this.stride,
      padding: this.padding,
    });
  }
}

/**
 * `nn.BatchNorm2d` (eps 1e-5, momentum 0.1). Training normalises with the batch statistics (biased variance)
 * and updates the running statistics with the unbiased variance, as PyTorch does; inference uses the
 * running statistics.
 */
export class BatchNorm2d implements Unit {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly numBatchesTracked: tf.Variable;

  constructor(store: StateStore, name: string, channels: number) {
    this.weight = store.vector(`${name}.weight`, 'parameter', channels, 1);
    this.bias = store.vector(`${name}.bias`, 'parameter', channels, 0);
    this.runningMean = store.vector(`${name}.running_mean`, 'buffer', channels, 0);
    this.runningVar = store.vector(`${name}.running_var`, 'buffer', channels, 1);
    this.numBatchesTracked = store.counter(`${name}.num_batches_tracked`);
  }

  forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
    if (!mode.training) {
      const [mean, variance, offset, scale] = [
        this.runningMean,
        this.runningVar,
        this.bias,
        this.weight,
      ] as tf.Tensor1D[];
      return tf.batchNorm4d(x, mean!, variance!, offset, scale, BN_EPS);
    }
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    this.updateRunningStatistics(mean, variance, x.size / x.shape[3]);
    const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BN_EPS)));
    return tf.add(tf.mul(normalized, this.weight), this.bias) as tf.Tensor4D;
  }

  private updateRunningStatistics(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    tf.tidy(() => {
      const unbiased = tf.mul(variance, count / Math.max(count - 1, 1));
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
      this.numBatchesTracked.assign(tf.add(this.numBatchesTracked, tf.scalar(1, 'int32')));
    });
  }
}

/** `nn.Sequential`: applies units in order. */
export class Sequential implements Unit {
  constructor(readonly units: readonly Unit[]) {}

  forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
    return this.units.reduce((y, unit) => unit.forward(y, mode), x);
  }

  toOnnx(graph: OnnxGraphBuilder, input: string): string {
    return this.units.reduce((y, unit) => unitToOnnx(unit, graph, y), input);
  }
}

/**
 * `nn.Upsample(scale_factor, mode='nearest')`: each pixel repeated `factor` times along height and width.
 * Inference uses tfjs's `resizeNearestNeighbor` (one kernel, the same values); training builds it from 4-D
 * reshapes and tiles, because the tfjs gradient of `resizeNearestNeighbor` does not match PyTorch's for
 * integer factors.
 */
export class NearestUpsample implements Unit {
  constructor(readonly factor: number) {}

  forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
    const [n, h, w, c] = x.shape;
    const s = this.factor;
    if (!mode.training) return tf.image.resizeNearestNeighbor(x, [h * s, w * s]);
    const wide = tf.reshape(tf.tile(tf.reshape(x, [n * h, w, 1, c]), [1, 1, s, 1]), [n, h, 1, w * s * c]);
    return tf.reshape(tf.tile(wide, [1, 1, s, 1]), [n, h * s, w * s, c]);
  }

  toOnnx(graph: OnnxGraphBuilder, input: string): string {
    return graph.upsampleNearest(input, this.factor);
  }
}

/**
 * A convolution followed by BatchNorm and optionally ReLU, the pattern behind every conv of HRNet but the last.
 * Training runs the three exactly as PyTorch does; inference runs one fused conv+bias(+ReLU) with the
 * BatchNorm folded into the kernel. The folded weights stay on the backend between calls and are re-folded
 * when any of the five variables has been assigned since (`assign` gives a variable new data).
 */
export class ConvBatchNorm implements Unit {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  private folded: { filter: tf.Tensor4D; bias: tf.Tensor1D; sources: object[] } | undefined;

  constructor(
    store: StateStore,
    names: { conv: string; bn: string },
    inChannels: number,
    outChannels: number,
    options: { kernel: number; stride?: number; padding?: number },
    private readonly activation: 'relu' | 'linear',
  ) {
    this.conv = new Conv2d(store, names.conv, inChannels, outChannels, options);
    this.bn = new BatchNorm2d(store, names.bn, outChannels);
    store.registerCache(this);
  }

  forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
    if (mode.training) {
      const y = this.bn.forward(this.conv.forward(x), mode);
      return this.activation === 'relu' ? tf.relu(y) : y;
    }
    const { filter, bias } = this.foldedWeights();
    return tf.fused.conv2d({
      x,
      filter,
      bias,
      strides: this.conv.stride,
      pad: this.conv.padding,
      activation: this.activation,
    });
  }

  private foldedWeights(): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
    const { bn } = this;
    const variables = [this.conv.kernel, bn.weight, bn.bias, bn.runningMean, bn.runningVar];
    const sources = variables.map((v) => v.dataId);
    if (this.folded?.sources.every((id, i) => id === sources[i])) return this.folded;
    this.disposeFolded();
    const [gamma, beta, runningMean, runningVar] = variables.slice(1) as tf.Tensor1D[];
    const { filter, bias } = foldBatchNorm(this.conv.kernel as tf.Tensor4D, {
      gamma: gamma!,
      beta: beta!,
      runningMean: runningMean!,
      runningVar: runningVar!,
      eps: BN_EPS,
    });
    this.folded = { filter: tf.keep(filter), bias: tf.keep(bias), sources };
    return this.folded;
  }

  /** One `Conv` with the BatchNorm folded in (the same folded weights as the tfjs inference), then `Relu`. */
  toOnnx(graph: OnnxGraphBuilder, input: string): string {
    const { filter, bias } = this.foldedWeights();
    const y = graph.conv(input, {
      ...onnxConvWeight(filter),
      bias: bias.dataSync() as Float32Array,
      stride: this.conv.stride,
      padding: this.conv.padding,
    });
    return this.activation === 'relu' ? graph.relu(y) : y;
  }

  /** Frees the folded inference weights (they are rebuilt on the next inference call). */
  disposeFolded(): void {
    if (this.folded === undefined) return;
    tf.dispose([this.folded.filter, this.folded.bias]);
    this.folded = undefined;
  }
}
