import * as tf from '@tensorflow/tfjs-core';
import type { BlockType } from './config';
import type { StateStore } from './state';
import { BatchNorm2d, Conv2d, type ForwardMode, Sequential, type Unit } from './units';

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
  return new Sequential([
    new Conv2d(store, `${name}.downsample.0`, inChannels, outChannels, { kernel: 1, stride }),
    new BatchNorm2d(store, `${name}.downsample.1`, outChannels),
  ]);
}

/** Adds the shortcut to the residual branch and applies the final ReLU. */
function residualSum(residual: tf.Tensor4D, x: tf.Tensor4D, shortcut: Unit | undefined, mode: ForwardMode) {
  const identity = shortcut === undefined ? x : shortcut.forward(x, mode);
  return tf.relu(tf.add(residual, identity)) as tf.Tensor4D;
}

/** The BasicBlock: two 3x3 conv-BN pairs with a residual connection. */
export class BasicBlock implements Unit {
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;
  private readonly shortcut: Unit | undefined;

  constructor(store: StateStore, name: string, inChannels: number, planes: number, stride: number) {
    this.conv1 = new Conv2d(store, `${name}.conv1`, inChannels, planes, { kernel: 3, stride, padding: 1 });
    this.bn1 = new BatchNorm2d(store, `${name}.bn1`, planes);
    this.conv2 = new Conv2d(store, `${name}.conv2`, planes, planes, { kernel: 3, padding: 1 });
    this.bn2 = new BatchNorm2d(store, `${name}.bn2`, planes);
    this.shortcut = shortcutFor(store, name, inChannels, planes, stride);
  }

  forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
    let y = tf.relu(this.bn1.forward(this.conv1.forward(x), mode)) as tf.Tensor4D;
    y = this.bn2.forward(this.conv2.forward(y), mode);
    return residualSum(y, x, this.shortcut, mode);
  }
}

/** The Bottleneck: 1x1 reduce, 3x3, 1x1 expand (x4), with a residual connection. */
export class Bottleneck implements Unit {
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;
  private readonly conv3: Conv2d;
  private readonly bn3: BatchNorm2d;
  private readonly shortcut: Unit | undefined;

  constructor(store: StateStore, name: string, inChannels: number, planes: number, stride: number) {
    const outChannels = planes * BLOCK_EXPANSION.BOTTLENECK;
    this.conv1 = new Conv2d(store, `${name}.conv1`, inChannels, planes, { kernel: 1 });
    this.bn1 = new BatchNorm2d(store, `${name}.bn1`, planes);
    this.conv2 = new Conv2d(store, `${name}.conv2`, planes, planes, { kernel: 3, stride, padding: 1 });
    this.bn2 = new BatchNorm2d(store, `${name}.bn2`, planes);
    this.conv3 = new Conv2d(store, `${name}.conv3`, planes, outChannels, { kernel: 1 });
    this.bn3 = new BatchNorm2d(store, `${name}.bn3`, outChannels);
    this.shortcut = shortcutFor(store, name, inChannels, outChannels, stride);
  }

  forward(x: tf.Tensor4D, mode: ForwardMode): tf.Tensor4D {
    let y = tf.relu(this.bn1.forward(this.conv1.forward(x), mode)) as tf.Tensor4D;
    y = tf.relu(this.bn2.forward(this.conv2.forward(y), mode)) as tf.Tensor4D;
    y = this.bn3.forward(this.conv3.forward(y), mode);
    return residualSum(y, x, this.shortcut, mode);
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
