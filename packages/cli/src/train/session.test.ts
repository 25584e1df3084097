import { readFileSync } from 'node:fs';
import {
  type NdArray,
  nchwToNhwc,
  registerGradients,
  setBackend,
  tensorFromNdArray,
  toFloat32,
} from '@hrnet/core';
import { readNpyFile, readStateDictFile } from '@hrnet/core/node';
import type { Batch } from '@hrnet/datasets/node';
import { loadStateDict, stateDict } from '@hrnet/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { referencePath } from '../../../../testing/shared';
import { compareAfterStep } from '../../../../testing/tiny-fixture';
import { experimentFromOfficial } from './experiment';
import { multiStepLr } from './lr-schedule';
import { createSession, disposeSession, type TrainingSession, trainingStep } from './session';

const tiny = (...parts: string[]) => referencePath('models', 'tiny', ...parts);
const experiment = () => experimentFromOfficial(parseYaml(readFileSync(tiny('config.yaml'), 'utf8')));

beforeAll(async () => {
  await setBackend('cpu');
  await registerGradients();
});

/** The fixture's NCHW arrays as a loader batch (NHWC images and targets, as `targetLayout: 'NHWC'` gives). */
function fixtureBatch(images: NdArray, targets: NdArray, weights: NdArray): Batch {
  const nhwc = (nd: NdArray) =>
    tf.tidy(() => {
      const t = nchwToNhwc(tensorFromNdArray(nd) as tf.Tensor4D);
      return { data: t.dataSync() as Float32Array, shape: t.shape as [number, number, number, number] };
    });
  const x = nhwc(images);
  const y = nhwc(targets);
  return {
    size: x.shape[0],
    images: x.data,
    imageShape: x.shape,
    targets: y.data,
    targetShape: y.shape,
    targetWeights: toFloat32(weights),
    meta: [],
    indices: [],
  };
}

describe('trainer step on models/tiny (train-step fixture)', () => {
  let session: TrainingSession;
  let batch: Batch;

  beforeAll(async () => {
    session = createSession(experiment(), 0);
    loadStateDict(session.net, await readStateDictFile(tiny('model.pth')));
    const [images, targets, weights] = await Promise.all(
      ['train-input.npy', 'train-target.npy', 'train-target-weight.npy'].map((f) => readNpyFile(tiny(f))),
    );
    batch = fixtureBatch(images!, targets!, weights!);
  });

  test('loss within 1e-5 relative and the state after the Adam step within 1e-5 abs of train-after-step', async () => {
    const reference = JSON.parse(readFileSync(tiny('train-step.json'), 'utf8')) as { loss: number };
    const exp = experiment();
    session.optimizer.lr = multiStepLr(exp.train.lr, exp.train.lrStep, exp.train.lrFactor, 0);
    expect(session.optimizer.lr).toBe(1e-3);

    const loss = trainingStep(session, batch, exp.useTargetWeight);
    const lossError = Math.abs(loss / reference.loss - 1);
    const { worst, compared, tinyGradientFlips, failures } = await compareAfterStep(
      stateDict(session.net),
      1e-5,
    );
    console.log(
      `trainer step: loss ${loss} vs ${reference.loss} (relative error ${lossError.toExponential(2)}); ` +
        `state after step: worst abs error ${worst.toExponential(2)} over ${compared} elements ` +
        `(running statistics included; ${tinyGradientFlips} elements with |grad| <= 1e-6 skipped and differing)`,
    );
    expect(failures).toEqual([]);
    expect(lossError).toBeLessThanOrEqual(1e-5);
  });

  test('no tensor leaks: tf.memory().numTensors is flat across steps', () => {
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      trainingStep(session, batch, true);
      counts.push(tf.memory().numTensors);
    }
    console.log(`numTensors after each step: ${counts.join(', ')}`);
    expect(new Set(counts).size).toBe(1);
    disposeSession(session);
  });
});
