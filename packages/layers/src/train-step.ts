import type { Adam } from '@hrnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { jointsMSELoss } from './loss';
import type { PoseHighResolutionNet } from './pose-hrnet';

/** One training batch in the network's layout. */
export interface TrainingBatch {
  /** Normalised images, NHWC `[N, H, W, 3]`. */
  images: tf.Tensor4D;
  /** Target heatmaps, NHWC `[N, H/4, W/4, K]`. */
  targets: tf.Tensor4D;
  /** Per-joint target weights, `[N, K]` or `[N, K, 1]`. */
  targetWeights: tf.Tensor;
}

/**
 * Forward in training mode (BatchNorm running statistics are updated, as one PyTorch `model.train()` step does)
 * and backward through {@link jointsMSELoss}. Returns the loss and the gradient of every parameter, in
 * `model.parameters()` order; the caller owns (and disposes) the gradients. Needs gradients registered
 * (`registerGradients()` of `@hrnet/core`).
 */
export function lossAndGradients(
  model: PoseHighResolutionNet,
  batch: TrainingBatch,
): { loss: number; gradients: tf.Tensor[] } {
  const parameters = model.parameters();
  const { value, grads } = tf.variableGrads(
    () => jointsMSELoss(model.forward(batch.images, { training: true }), batch.targets, batch.targetWeights),
    parameters,
  );
  const loss = value.dataSync()[0]!;
  value.dispose();
  return { loss, gradients: parameters.map((p) => grads[p.name]!) };
}

/** One optimisation step: {@link lossAndGradients} then the optimizer update. Returns the loss before the step. */
export function trainStep(model: PoseHighResolutionNet, optimizer: Adam, batch: TrainingBatch): number {
  const { loss, gradients } = lossAndGradients(model, batch);
  optimizer.applyGradients(gradients);
  tf.dispose(gradients);
  return loss;
}
