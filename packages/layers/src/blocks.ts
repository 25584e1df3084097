import * as tf from '@tensorflow/tfjs-core';
import type { BlockType } from './config';
import type { OnnxGraphBuilder } from './onnx/graph-builder';
import { unitToOnnx } from './onnx/unit';
import type { StateStore } from './state';
import { ConvBatchNorm, type ForwardMode, Sequential, type Unit } from './units';

/** Channels out of a residual unit per channel of its width: 1 for BasicBlock, 4 for Bottleneck. */
export const BLOCK_EXPANSION: Record<BlockType, number> = { BASIC: 1, BOTTLENECK: 4 };

/**
 * The projection shortcut (`downsample`: 1x1 conv + BatchNorm) when the unit changes stride or width, else none.
 * Created after the unit's own convs so the state dict keeps PyTorch's order.
 */
function shortcutFor(
  store: StateStore,
  name: string,
  inChannels: number,
  outChannels: number,
  stride: number,
) {
  if (stride === 1 && inChannels === outChannels) return undefined;
  const names = { conv: `${name}.downsample.0`, bn: `${name}.downsample.1` };
  return new ConvBatchNorm(store, names, inChannels, outChannels, { kernel: 1, stride }, 'linear');
}

/** Adds the shortcut to the residual branch and applies the final ReLU. */
function residualSum(residual: tf.Tensor4D, x: tf.Tensor4D, shortcut: Unit | undefined, mode: ForwardMode) {
  const identity = shortcut === undefined ? x : shortcut.forward(x, mode);
  return tf.relu(tf.add(residual, identity)) as tf.Tensor4D;
}

/** {@link residualSum} in an ONNX graph. */
function residualSumOnnx(graph: OnnxGraphBuilder, residual: string, x: string, shortcut: Unit | undefined) {
  const identity = shortcut === undefined ? x : unitToOnnx(shortcut, graph, x);
  return graph.relu(graph.add(residual, identity));
}

/** `convN` / `bnN` state-dict names of a residual unit's N-th conv-BN pair. */
const pairNames = (name: string, i: number) => ({ conv: `${name}.conv${i}`, bn: `${name}.bn${i}` });

/** The BasicBlock: two 3x3 conv-BN pairs with a residual connection. */
export class BasicBlock implements Unit {
  private readonly first: ConvBatchNorm;
  private readonly second: ConvBatchNorm;
  private readonly shortcut: Unit | undefined;

  constructor(store: StateStore, name: string, inChannels: number, planes: number, stride: number) {
    const conv3x3 = { kernel: 3, padding: 1 };
    this.first = new ConvBatchNorm(
      store,
      pairNames(name, 1),
      inChannels,
      planes,
      { ...conv3x3, stride },
      'relu',
    );
    this.second = new ConvBatchNorm(store, pairNames(name, 2), planes, planes, conv3x3, 'linear');
    this.shortcut = shortcutFor(store, name, inChannels, planes, stride);
  }

  forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
    const y = this.second.forward(this.first.forward(x, mode), mode);
    return residualSum(y, x, this.shortcut, mode);
  }

  toOnnx(graph: OnnxGraphBuilder, input: string): string {
    const y = this.second.toOnnx(graph, this.first.toOnnx(graph, input));
    return residualSumOnnx(graph, y, input, this.shortcut);
  }
}

/** The Bottleneck: 1x1 reduce, 3x3, 1x1 expand (x4), with a residual connection. */
export class Bottleneck implements Unit {
  private readonly reduce: ConvBatchNorm;
  private readonly conv3x3: ConvBatchNorm;
  private readonly expand: ConvBatchNorm;
  private readonly shortcut: Unit | undefined;

  constructor(store: StateStore, name: string, inChannels: number, planes: number, stride: number) {
    const outChannels = planes * BLOCK_EXPANSION.BOTTLENECK;
    this.reduce = new ConvBatchNorm(store, pairNames(name, 1), inChannels, planes, { kernel: 1 }, 'relu');
    const conv3x3 = { kernel: 3, stride, padding: 1 };
    this.conv3x3 = new ConvBatchNorm(store, pairNames(name, 2), planes, planes, conv3x3, 'relu');
    this.expand = new ConvBatchNorm(store, pairNames(name, 3), planes, outChannels, { kernel: 1 }, 'linear');
    this.shortcut = shortcutFor(store, name, inChannels, outChannels, stride);
  }

  forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
    const y = this.expand.forward(this.conv3x3.forward(this.reduce.forward(x, mode), mode), mode);
    return residualSum(y, x, this.shortcut, mode);
  }

  toOnnx(graph: OnnxGraphBuilder, input: string): string {
    const y = this.expand.toOnnx(graph, this.conv3x3.toOnnx(graph, this.reduce.toOnnx(graph, input)));
    return residualSumOnnx(graph, y, input, this.shortcut);
  }
}

/**
 * A run of residual units (the official `_make_layer` / `_make_one_branch`): the first unit gets a projection
 * shortcut when stride or width change. Returns the units and the output width.
 */
export function residualLayer(
  store: StateStore,
  name: string,
  block: BlockType,
  inChannels: number,
  planes: number,
  count: number,
  stride = 1,
): { layer: Sequential; outChannels: number } {
  const Block = block === 'BASIC' ? BasicBlock : Bottleneck;
  const outChannels = planes * BLOCK_EXPANSION[block];
  const units: Unit[] = [new Block(store, `${name}.0`, inChannels, planes, stride)];
  for (let i = 1; i < count; i++) units.push(new Block(store, `${name}.${i}`, outChannels, planes, 1));
  return { layer: new Sequential(units), outChannels };
}
