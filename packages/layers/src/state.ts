import * as tf from '@tensorflow/tfjs-core';

/** Trainable weights are parameters; BatchNorm running statistics and counters are buffers (PyTorch's terms). */
export type StateKind = 'parameter' | 'buffer';

/**
 * How a tensor is stored inside tfjs versus in a PyTorch state dict. Convolution kernels are HWIO in
 * tfjs (NHWC convolutions) and OIHW in PyTorch; everything else has the same layout in both.
 */
export type StateLayout = 'conv' | 'plain';

/** One entry of a model's state, named exactly as the PyTorch state-dict key. */
export interface StateEntry {
  readonly key: string;
  readonly kind: StateKind;
  readonly layout: StateLayout;
  /** Shape in the PyTorch state dict (OIHW for convolution kernels). */
  readonly torchShape: readonly number[];
  /** PyTorch dtype of the entry: `num_batches_tracked` is int64, the rest float32. */
  readonly torchDType: 'float32' | 'int64';
  readonly variable: tf.Variable;
}

/**
 * The variables of one network, keyed by PyTorch state-dict names (`stage3.2.fuse_layers.1.0.0.0.weight`).
 * The tfjs variable names are left to tfjs, which needs them unique across every network in the process.
 */
export class StateStore {
  readonly entries = new Map<string, StateEntry>();

  /** @param seed makes the random initialisation reproducible (each kernel draws from `seed + its index`). */
  constructor(private readonly seed?: number) {}

  /** Adds a convolution kernel (PyTorch shape [out, in, k, k]) initialised from N(0, std²), as the official code. */
  convKernel(key: string, outChannels: number, inChannels: number, kernel: number, std: number): tf.Variable {
    const seed = this.seed === undefined ? undefined : this.seed + this.entries.size;
    const init = tf.randomNormal([kernel, kernel, inChannels, outChannels], 0, std, 'float32', seed);
    return this.add(key, 'parameter', 'conv', [outChannels, inChannels, kernel, kernel], 'float32', init);
  }

  /** Adds a per-channel vector filled with `value` (BatchNorm weight/bias, running statistics, conv bias). */
  vector(key: string, kind: StateKind, size: number, value: number): tf.Variable {
    return this.add(key, kind, 'plain', [size], 'float32', tf.fill([size], value, 'float32'));
  }

  /** Adds BatchNorm's `num_batches_tracked` counter (int64 in PyTorch, int32 here). */
  counter(key: string): tf.Variable {
    return this.add(key, 'buffer', 'plain', [], 'int64', tf.scalar(0, 'int32'));
  }

  private add(
    key: string,
    kind: StateKind,
    layout: StateLayout,
    torchShape: number[],
    torchDType: 'float32' | 'int64',
    init: tf.Tensor,
  ): tf.Variable {
    if (this.entries.has(key)) throw new Error(`state key ${key} defined twice`);
    const variable = tf.variable(init, kind === 'parameter');
    init.dispose();
    this.entries.set(key, { key, kind, layout, torchShape, torchDType, variable });
    return variable;
  }

  /** Trainable variables in definition order (the order of PyTorch's `model.parameters()`). */
  parameters(): tf.Variable[] {
    return [...this.entries.values()].filter((e) => e.kind === 'parameter').map((e) => e.variable);
  }

  private readonly caches: { disposeFolded(): void }[] = [];

  /** Registers a unit holding tensors derived from the state (folded inference weights), freed with it. */
  registerCache(cache: { disposeFolded(): void }): void {
    this.caches.push(cache);
  }

  /** Frees every variable and every derived tensor. */
  dispose(): void {
    for (const cache of this.caches) cache.disposeFolded();
    for (const entry of this.entries.values()) entry.variable.dispose();
    this.entries.clear();
  }
}

/** Converts a PyTorch OIHW kernel to tfjs HWIO. */
export function oihwToHwio(data: Float32Array, shape: readonly number[]): Float32Array {
  const [o, i, h, w] = shape as [number, number, number, number];
  const out = new Float32Array(data.length);
  for (let oc = 0; oc < o; oc++) {
    for (let ic = 0; ic < i; ic++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          out[((y * w + x) * i + ic) * o + oc] = data[((oc * i + ic) * h + y) * w + x]!;
        }
      }
    }
  }
  return out;
}

/** Converts a tfjs HWIO kernel to PyTorch OIHW (`torchShape` is the OIHW shape). */
export function hwioToOihw(data: Float32Array, torchShape: readonly number[]): Float32Array {
  const [o, i, h, w] = torchShape as [number, number, number, number];
  const out = new Float32Array(data.length);
  for (let oc = 0; oc < o; oc++) {
    for (let ic = 0; ic < i; ic++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          out[((oc * i + ic) * h + y) * w + x] = data[((y * w + x) * i + ic) * o + oc]!;
        }
      }
    }
  }
  return out;
}
