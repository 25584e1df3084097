import * as tf from '@tensorflow/tfjs-core';
import type { StateStore } from './state';
import { Conv2d } from './units';

/**
 * Attention-weighted exchange for one output stream k (an option the HRNet paper leaves open; off by default):
 * instead of the sum `Y_k = sum_i a(X_i, k)`, `Y_k = B * sum_i w_i a(X_i, k)` with
 * `w = softmax_i(W_k [GAP(a(X_1, k)), ..., GAP(a(X_B, k))] + b_k)`, i.e. a 1x1 conv over the global-average-pooled
 * incoming streams followed by a softmax over the B streams, per sample. The factor B makes uniform weights
 * equal to the official sum, so a freshly initialised (near-zero) `W_k` starts out as the official exchange.
 * Parameters: `<module>.fuse_attention.<k>.weight` `[B, B*C_k, 1, 1]` and `.bias` `[B]` (no official key has
 * `fuse_attention`).
 */
export class AttentionExchange {
  private readonly gate: Conv2d;

  constructor(
    store: StateStore,
    name: string,
    private readonly numStreams: number,
    channels: number,
  ) {
    this.gate = new Conv2d(store, name, numStreams * channels, numStreams, { kernel: 1, bias: true });
  }

  /** Combines the incoming streams, all already brought to this output's resolution and width. */
  forward(incoming: tf.Tensor4D[]): tf.Tensor4D {
    const pooled = tf.concat(
      incoming.map((x) => tf.mean(x, [1, 2], true)),
      3,
    ) as tf.Tensor4D;
    const weights = tf.softmax(this.gate.forward(pooled)) as tf.Tensor4D; // [N, 1, 1, B]
    let y = tf.mul(incoming[0]!, tf.slice(weights, [0, 0, 0, 0], [-1, -1, -1, 1]));
    for (let i = 1; i < incoming.length; i++) {
      y = tf.add(y, tf.mul(incoming[i]!, tf.slice(weights, [0, 0, 0, i], [-1, -1, -1, 1])));
    }
    return tf.mul(y, this.numStreams);
  }
}
