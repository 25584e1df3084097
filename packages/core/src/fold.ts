import * as tf from '@tensorflow/tfjs-core';

/** A BatchNorm layer's affine parameters and running statistics, per channel. */
export interface BatchNormParameters {
  gamma: tf.Tensor1D;
  beta: tf.Tensor1D;
  runningMean: tf.Tensor1D;
  runningVar: tf.Tensor1D;
  eps: number;
}

/**
 * Folds an inference-mode BatchNorm into the convolution before it:
 * `bn(conv(x, W)) = conv(x, W * s) + (beta - mean * s)` with `s = gamma / sqrt(var + eps)`.
 * `kernel` is HWIO (tfjs layout); the returned filter has the same layout and the bias one value per output
 * channel. The caller owns the returned tensors.
 */
export function foldBatchNorm(
  kernel: tf.Tensor4D,
  bn: BatchNormParameters,
): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
  return tf.tidy(() => {
    const scale = tf.div(bn.gamma, tf.sqrt(tf.add(bn.runningVar, bn.eps)));
    return {
      filter: tf.mul(kernel, scale) as tf.Tensor4D,
      bias: tf.sub(bn.beta, tf.mul(bn.runningMean, scale)) as tf.Tensor1D,
    };
  });
}
