import * as tf from '@tensorflow/tfjs-core';

/**
 * The official `JointsMSELoss`: half the mean squared error between predicted and target heatmaps, each
 * multiplied by its joint's target weight (`use_target_weight=True`), averaged over joints, pixels and batch.
 *
 * @param heatmaps predicted heatmaps, NHWC `[N, H, W, K]`
 * @param targets target heatmaps, NHWC `[N, H, W, K]`
 * @param targetWeights per-joint weights `[N, K]` or `[N, K, 1]` (as the official dataset yields them);
 *   omit for `use_target_weight=False`
 */
export function jointsMSELoss(
  heatmaps: tf.Tensor4D,
  targets: tf.Tensor4D,
  targetWeights?: tf.Tensor,
): tf.Scalar {
  if (!heatmaps.shape.every((d, i) => d === targets.shape[i])) {
    throw new Error(
      `heatmaps [${heatmaps.shape.join(', ')}] and targets [${targets.shape.join(', ')}] differ in shape`,
    );
  }
  return tf.tidy(() => {
    if (targetWeights === undefined) return tf.mul(tf.mean(tf.squaredDifference(heatmaps, targets)), 0.5);
    const [n, , , k] = heatmaps.shape;
    if (targetWeights.size !== n * k) {
      throw new Error(
        `target weights [${targetWeights.shape.join(', ')}] do not hold one weight per joint (${n}x${k})`,
      );
    }
    const w = tf.reshape(targetWeights, [n, 1, 1, k]);
    return tf.mul(tf.mean(tf.squaredDifference(tf.mul(heatmaps, w), tf.mul(targets, w))), 0.5);
  }) as tf.Scalar;
}
