import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerGradients, setBackend, toFloat32 } from '@hrnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { dataPath, referencePath } from '../../../../testing/shared';
import { loadCheckpoint } from './checkpoint';
import { experimentFromOfficial } from './experiment';
import type { StepRecord } from './log';
import { OUTPUT_FILES, type TrainOptions, train } from './trainer';

/**
 * The tiny network on two coco-sample boxes, batch 2 (one step per epoch), augmentation on, the learning rate
 * dropping x0.1 at epoch 1: resuming must restore weights, Adam, the LR position and the data order.
 */
function tinyExperiment() {
  const official = parseYaml(readFileSync(referencePath('models', 'tiny', 'config.yaml'), 'utf8'));
  return experimentFromOfficial({
    ...official,
    DATASET: { ROOT: dataPath('coco-sample'), TRAIN_SET: 'test_coco', TEST_SET: 'test_coco' },
    TRAIN: { BATCH_SIZE_PER_GPU: 2, END_EPOCH: 2, LR_STEP: [1] },
    TEST: { BATCH_SIZE_PER_GPU: 2 },
  });
}

class SimulatedCrash extends Error {}

describe('train() on the tiny config', () => {
  const root = mkdtempSync(join(tmpdir(), 'hrnet-train-'));
  const options = (outDir: string): TrainOptions => ({
    experiment: tinyExperiment(),
    outDir: join(root, outDir),
    seed: 3,
    workers: 0,
    subset: 2,
    progress: false,
  });

  beforeAll(async () => {
    await setBackend('cpu');
    await registerGradients();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('a run killed mid-epoch and resumed ends with the same weights as an uninterrupted run', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const straight = await train(options('straight'));
    expect(tf.memory().numTensors, 'tensors left after a run').toBe(tensorsBefore);
    expect(straight.epochsRun).toBe(2);
    expect(straight.history.map((h) => h.lr)).toEqual([1e-3, 1e-3 * 0.1]);

    const steps: StepRecord[] = [];
    const crash = train(options('crashed'), {
      onStep: (record) => {
        steps.push(record);
        if (record.epoch === 1) throw new SimulatedCrash('killed in epoch 2');
      },
    });
    await expect(crash).rejects.toThrow(SimulatedCrash);
    const dir = join(root, 'crashed');
    expect((await loadCheckpoint(join(dir, OUTPUT_FILES.checkpoint))).epoch).toBe(1);
    expect(existsSync(join(dir, OUTPUT_FILES.final))).toBe(false);
    await expect(train(options('crashed'))).rejects.toThrow(/pass --resume/);

    const resumed = await train({ ...options('crashed'), resume: true });
    expect(resumed.epochsRun).toBe(1);
    expect(resumed.history.map((h) => h.lr)).toEqual([1e-3, 1e-3 * 0.1]);
    expect(resumed.history[1]!.loss).toBe(straight.history[1]!.loss);
    let worst = 0;
    for (const [key, expected] of straight.finalState) {
      const a = toFloat32(expected);
      const b = toFloat32(resumed.finalState.get(key)!);
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    }
    console.log(
      `resume after a simulated crash: max abs weight difference to the uninterrupted run ${worst}`,
    );
    expect(worst).toBe(0);

    const log = readFileSync(join(dir, OUTPUT_FILES.log), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.filter((r) => r.type === 'epoch').map((r) => r.epoch)).toEqual([0, 1]);
    for (const file of [
      OUTPUT_FILES.plot,
      join(OUTPUT_FILES.final, 'model.json'),
      join(OUTPUT_FILES.best, 'model.json'),
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
  });
});
