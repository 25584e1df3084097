import { describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { experimentFromOfficial, presetExperiment } from './experiment';
import { multiStepLr } from './lr-schedule';

/** The sections of the official experiments/coco/hrnet/w32_256x192_adam_lr1e-3.yaml (stages abridged to W32). */
const OFFICIAL = `
AUTO_RESUME: true
GPUS: (0,1,2,3)
OUTPUT_DIR: 'output'
WORKERS: 24
DATASET:
  COLOR_RGB: true
  DATASET: 'coco'
  DATA_FORMAT: jpg
  FLIP: true
  NUM_JOINTS_HALF_BODY: 8
  PROB_HALF_BODY: 0.3
  ROOT: 'data/coco/'
  ROT_FACTOR: 45
  SCALE_FACTOR: 0.35
  TEST_SET: 'val2017'
  TRAIN_SET: 'train2017'
MODEL:
  INIT_WEIGHTS: true
  NAME: pose_hrnet
  NUM_JOINTS: 17
  PRETRAINED: 'models/pytorch/imagenet/hrnet_w32-36af842e.pth'
  TARGET_TYPE: gaussian
  IMAGE_SIZE: [192, 256]
  HEATMAP_SIZE: [48, 64]
  SIGMA: 2
  EXTRA:
    PRETRAINED_LAYERS: ['conv1', 'bn1']
    FINAL_CONV_KERNEL: 1
    STAGE2: {NUM_MODULES: 1, NUM_BRANCHES: 2, BLOCK: BASIC, NUM_BLOCKS: [4, 4], NUM_CHANNELS: [32, 64], FUSE_METHOD: SUM}
    STAGE3: {NUM_MODULES: 4, NUM_BRANCHES: 3, BLOCK: BASIC, NUM_BLOCKS: [4, 4, 4], NUM_CHANNELS: [32, 64, 128], FUSE_METHOD: SUM}
    STAGE4: {NUM_MODULES: 3, NUM_BRANCHES: 4, BLOCK: BASIC, NUM_BLOCKS: [4, 4, 4, 4], NUM_CHANNELS: [32, 64, 128, 256], FUSE_METHOD: SUM}
LOSS:
  USE_TARGET_WEIGHT: true
TRAIN:
  BATCH_SIZE_PER_GPU: 32
  SHUFFLE: true
  BEGIN_EPOCH: 0
  END_EPOCH: 210
  OPTIMIZER: adam
  LR: 0.001
  LR_FACTOR: 0.1
  LR_STEP: [170, 200]
  WD: 0.0001
  GAMMA1: 0.99
  GAMMA2: 0.0
  MOMENTUM: 0.9
  NESTEROV: false
TEST:
  BATCH_SIZE_PER_GPU: 32
  COCO_BBOX_FILE: 'data/coco/person_detection_results/COCO_val2017_detections_AP_H_56_person.json'
  BBOX_THRE: 1.0
  IMAGE_THRE: 0.0
  IN_VIS_THRE: 0.2
  MODEL_FILE: ''
  NMS_THRE: 1.0
  OKS_THRE: 0.9
  USE_GT_BBOX: true
  FLIP_TEST: true
  POST_PROCESS: true
  SHIFT_HEATMAP: true
DEBUG:
  DEBUG: true
`;

describe('official experiment YAML', () => {
  const experiment = experimentFromOfficial(parseYaml(OFFICIAL));

  test('reads the recipe and the network as the preset', () => {
    expect(experiment.model).toEqual(presetExperiment('w32-coco-256x192').model);
    expect(experiment.train).toEqual({
      optimizer: 'adam',
      lr: 0.001,
      lrFactor: 0.1,
      lrStep: [170, 200],
      beginEpoch: 0,
      endEpoch: 210,
      batchSize: 32,
      shuffle: true,
    });
    expect(experiment.dataset).toMatchObject({
      dataset: 'coco',
      root: 'data/coco/',
      flip: true,
      rotFactor: 45,
    });
    expect(experiment.test).toMatchObject({ flipTest: true, shiftHeatmap: true, oksThre: 0.9 });
  });

  test('lists every key it ignores, weight decay included (the official Adam gets none)', () => {
    expect(experiment.ignored).toEqual([
      'AUTO_RESUME',
      'GPUS',
      'OUTPUT_DIR',
      'WORKERS',
      'DATASET.COLOR_RGB',
      'DATASET.DATA_FORMAT',
      'MODEL.INIT_WEIGHTS',
      'MODEL.PRETRAINED',
      'MODEL.EXTRA.PRETRAINED_LAYERS',
      'TRAIN.WD',
      'TRAIN.GAMMA1',
      'TRAIN.GAMMA2',
      'TRAIN.MOMENTUM',
      'TRAIN.NESTEROV',
      'TEST.COCO_BBOX_FILE',
      'TEST.BBOX_THRE',
      'TEST.IMAGE_THRE',
      'TEST.MODEL_FILE',
      'TEST.NMS_THRE',
      'TEST.USE_GT_BBOX',
      'DEBUG.DEBUG',
    ]);
  });

  test('refuses what it cannot reproduce', () => {
    const sgd = parseYaml(OFFICIAL);
    sgd.TRAIN.OPTIMIZER = 'sgd';
    expect(() => experimentFromOfficial(sgd)).toThrow(/TRAIN.OPTIMIZER: only adam/);
  });
});

test('MultiStep LR: x0.1 at epochs 170 and 200', () => {
  const lr = (epoch: number) => multiStepLr(1e-3, [170, 200], 0.1, epoch);
  expect([lr(0), lr(169), lr(170), lr(199), lr(200), lr(209)]).toEqual([
    1e-3,
    1e-3,
    1e-3 * 0.1,
    1e-3 * 0.1,
    1e-3 * 0.1 ** 2,
    1e-3 * 0.1 ** 2,
  ]);
});
