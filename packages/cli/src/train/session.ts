import { Adam, registerTrainingKernels } from '@hrnet/core';
import type { Batch } from '@hrnet/datasets/node';
import { PoseHighResolutionNet, trainStep } from '@hrnet/layers';
import * as tf from '@tensorflow/tfjs-core';
import type { Experiment } from './experiment';

/** The network being trained and its optimizer. */
export interface TrainingSession {
  readonly net: PoseHighResolutionNet;
  readonly optimizer: Adam;
}

/**
 * Builds the network with the official initialisation (seeded) and the official optimizer: `Adam(lr=TRAIN.LR)`,
 * no weight decay (the official `get_optimizer` passes none to Adam, whatever `TRAIN.WD` says). Installs the
 * JavaScript filter-gradient kernel for cpu and wasm ({@link registerTrainingKernels}).
 */
export function createSession(experiment: Experiment, seed: number): TrainingSession {
  registerTrainingKernels();
  const net = new PoseHighResolutionNet(experiment.model, { seed });
  return { net, optimizer: new Adam(net.parameters(), { lr: experiment.train.lr }) };
}

/** Frees the network and the optimizer state. */
export function disposeSession(session: TrainingSession): void {
  session.optimizer.dispose();
  session.net.dispose();
}

/**
 * One step of the official `train()` on a loader batch (targets in NHWC layout): train-mode forward, the
 * `JointsMSELoss` (with the target weights when `LOSS.USE_TARGET_WEIGHT`), backward and an Adam update at the
 * optimizer's current learning rate. Returns the loss before the update; every tensor it makes is freed.
 */
export function trainingStep(session: TrainingSession, batch: Batch, useTargetWeight: boolean): number {
  const [n, , , k] = batch.targetShape;
  const tensors = {
    images: tf.tensor4d(batch.images, [...batch.imageShape]),
    targets: tf.tensor4d(batch.targets, [...batch.targetShape]),
    targetWeights: useTargetWeight ? tf.tensor2d(batch.targetWeights, [n, k]) : tf.ones([n, k]),
  };
  try {
    return trainStep(session.net, session.optimizer, tensors);
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
