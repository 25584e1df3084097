import * as tf from '@tensorflow/tfjs-core';
import { AttentionExchange } from './attention-exchange';
import { residualLayer } from './blocks';
import type { BlockType, ExchangeMethod } from './config';
import type { OnnxGraphBuilder } from './onnx/graph-builder';
import { unitToOnnx } from './onnx/unit';
import type { StateStore } from './state';
import { ConvBatchNorm, type ForwardMode, NearestUpsample, Sequential, type Unit } from './units';

/**
 * The exchange unit's path from stream `from` to stream `to` (the official `fuse_layers[to][from]`):
 * a lower-resolution stream goes up by 1x1 conv + BN + nearest upsampling; a higher-resolution one goes down
 * by (to - from) strided 3x3 conv + BN, with ReLU between them but not after the last.
 */
function exchangePath(
  store: StateStore,
  name: string,
  channels: readonly number[],
  from: number,
  to: number,
): Unit {
  if (from > to) {
    const names = { conv: `${name}.0`, bn: `${name}.1` };
    return new Sequential([
      new ConvBatchNorm(store, names, channels[from]!, channels[to]!, { kernel: 1 }, 'linear'),
      new NearestUpsample(2 ** (from - to)),
    ]);
  }
  const steps: Unit[] = [];
  for (let k = 0; k < to - from; k++) {
    const last = k === to - from - 1;
    const outChannels = last ? channels[to]! : channels[from]!;
    const names = { conv: `${name}.${k}.0`, bn: `${name}.${k}.1` };
    const conv = { kernel: 3, stride: 2, padding: 1 };
    steps.push(new ConvBatchNorm(store, names, channels[from]!, outChannels, conv, last ? 'linear' : 'relu'));
  }
  return new Sequential(steps);
}

/**
 * The high-resolution module: parallel branches of residual units, one per resolution, followed by the
 * exchange unit (fuse layers) that gives every output stream the sum of all input streams brought to its
 * resolution (Y_k = sum_i a(X_i, k)), then ReLU. With `multiScaleOutput` false only the highest-resolution
 * stream is produced (the last module of the network). With `exchange` `attention` the sum is replaced by
 * {@link AttentionExchange} (an option, not the official network).
 */
export class HighResolutionModule {
  private readonly branches: Sequential[] = [];
  /** `fuse[to][from]`; undefined where from === to (identity). */
  private readonly fuse: (Unit | undefined)[][] = [];
  /** With `exchange: 'attention'`, the weighting of each output stream; empty for the official sum. */
  private readonly attention: AttentionExchange[] = [];
  /** Output width of each branch. */
  readonly outChannels: number[];

  constructor(
    store: StateStore,
    name: string,
    block: BlockType,
    numBlocks: readonly number[],
    inChannels: readonly number[],
    numChannels: readonly number[],
    multiScaleOutput: boolean,
    exchange: ExchangeMethod = 'sum',
  ) {
    this.outChannels = [];
    numChannels.forEach((planes, b) => {
      const branch = residualLayer(
        store,
        `${name}.branches.${b}`,
        block,
        inChannels[b]!,
        planes,
        numBlocks[b]!,
      );
      this.branches.push(branch.layer);
      this.outChannels.push(branch.outChannels);
    });
    const numBranches = numChannels.length;
    if (numBranches === 1) return;
    const outputs = multiScaleOutput ? numBranches : 1;
    for (let to = 0; to < outputs; to++) {
      const row: (Unit | undefined)[] = [];
      for (let from = 0; from < numBranches; from++) {
        row.push(
          from === to
            ? undefined
            : exchangePath(store, `${name}.fuse_layers.${to}.${from}`, this.outChannels, from, to),
        );
      }
      this.fuse.push(row);
      if (exchange === 'attention') {
        const attentionName = `${name}.fuse_attention.${to}`;
        this.attention.push(new AttentionExchange(store, attentionName, numBranches, this.outChannels[to]!));
      }
    }
  }

  forward(streams: tf.Tensor4D[], mode: ForwardMode): tf.Tensor4D[] {
    const x = streams.map((s, b) => this.branches[b]!.forward(s, mode));
    if (x.length === 1) return x;
    return this.fuse.map((row, to) => {
      const attention = this.attention[to];
      if (attention !== undefined) {
        return tf.relu(
          attention.forward(x.map((s, from) => (from === to ? s : row[from]!.forward(s, mode)))),
        );
      }
      let y = to === 0 ? x[0]! : row[0]!.forward(x[0]!, mode);
      for (let from = 1; from < x.length; from++) {
        y = tf.add(y, from === to ? x[from]! : row[from]!.forward(x[from]!, mode));
      }
      return tf.relu(y);
    });
  }

  /** The inference forward in an ONNX graph (the official sum exchange only). */
  toOnnx(graph: OnnxGraphBuilder, streams: readonly string[]): string[] {
    if (this.attention.length > 0) throw new Error('ONNX export: the attention exchange is not supported');
    const x = streams.map((s, b) => this.branches[b]!.toOnnx(graph, s));
    if (x.length === 1) return x;
    return this.fuse.map((row, to) => {
      const path = (from: number) => (from === to ? x[from]! : unitToOnnx(row[from]!, graph, x[from]!));
      let y = path(0);
      for (let from = 1; from < x.length; from++) y = graph.add(y, path(from));
      return graph.relu(y);
    });
  }
}
