import { existsSync, readFileSync } from 'node:fs';
import {
  ConfigError,
  HRNET_PRESETS,
  type HRNetConfig,
  hrnetConfigFromOfficial,
  hrnetPreset,
} from '@hrnet/layers';
import { parse as parseYaml } from 'yaml';

/** `DATASET`: which dataset, where, and the training augmentation (official `lib/config/default.py`). */
export interface DatasetSection {
  /** `DATASET.DATASET`: `coco` or `mpii`. */
  dataset: 'coco' | 'mpii';
  /** `DATASET.ROOT`: the dataset folder. */
  root: string;
  /** `DATASET.TRAIN_SET` (`train2017`, `train`). */
  trainSet: string;
  /** `DATASET.TEST_SET` (`val2017`, `valid`). */
  testSet: string;
  /** `DATASET.FLIP`: random horizontal flips in training. */
  flip: boolean;
  /** `DATASET.SCALE_FACTOR`. */
  scaleFactor: number;
  /** `DATASET.ROT_FACTOR` in degrees. */
  rotFactor: number;
  /** `DATASET.PROB_HALF_BODY`. */
  probHalfBody: number;
  /** `DATASET.NUM_JOINTS_HALF_BODY`. */
  numJointsHalfBody: number;
}

/** `TRAIN`: the optimisation recipe. */
export interface TrainSection {
  /** `TRAIN.OPTIMIZER`: only `adam` (the official HRNet recipe). */
  optimizer: 'adam';
  /** `TRAIN.LR`: base learning rate. */
  lr: number;
  /** `TRAIN.LR_FACTOR`: MultiStepLR gamma. */
  lrFactor: number;
  /** `TRAIN.LR_STEP`: MultiStepLR milestones (epochs). */
  lrStep: number[];
  /** `TRAIN.BEGIN_EPOCH`. */
  beginEpoch: number;
  /** `TRAIN.END_EPOCH` (exclusive). */
  endEpoch: number;
  /** `TRAIN.BATCH_SIZE_PER_GPU` (one device here, so the batch size). */
  batchSize: number;
  /** `TRAIN.SHUFFLE`. */
  shuffle: boolean;
}

/** `TEST`: validation after every epoch. */
export interface TestSection {
  /** `TEST.BATCH_SIZE_PER_GPU`. */
  batchSize: number;
  /** `TEST.FLIP_TEST`. */
  flipTest: boolean;
  /** `TEST.POST_PROCESS`: quarter-pixel refinement in `get_final_preds`. */
  postProcess: boolean;
  /** `TEST.SHIFT_HEATMAP`: one-pixel shift of the flipped-back heatmaps. */
  shiftHeatmap: boolean;
  /** `TEST.IN_VIS_THRE`: rescoring threshold. */
  inVisThre: number;
  /** `TEST.OKS_THRE`: OKS-NMS threshold. */
  oksThre: number;
  /** `TEST.SOFT_NMS`. */
  softNms: boolean;
}

/** A training experiment: the typed form of an official experiment YAML (`experiments/coco/hrnet/*.yaml`). */
export interface Experiment {
  model: HRNetConfig;
  /** `MODEL.SIGMA`: target Gaussian sigma. */
  sigma: number;
  /** `LOSS.USE_TARGET_WEIGHT`. */
  useTargetWeight: boolean;
  dataset: DatasetSection;
  train: TrainSection;
  test: TestSection;
  /** Keys of the YAML that training does not use (dotted paths), reported to the user. */
  ignored: string[];
}

type Yamlish = Record<string, unknown>;

/**
 * Keys that are read. `MODEL.EXTRA` and everything under it is the network, read by `hrnetConfigFromOfficial`
 * except the keys listed in {@link MODEL_EXTRA_IGNORED}.
 */
const USED = new Set([
  'MODEL.NAME',
  'MODEL.NUM_JOINTS',
  'MODEL.IMAGE_SIZE',
  'MODEL.HEATMAP_SIZE',
  'MODEL.SIGMA',
  'MODEL.TARGET_TYPE',
  'MODEL.EXTRA',
  'LOSS.USE_TARGET_WEIGHT',
  'DATASET.DATASET',
  'DATASET.ROOT',
  'DATASET.TRAIN_SET',
  'DATASET.TEST_SET',
  'DATASET.FLIP',
  'DATASET.SCALE_FACTOR',
  'DATASET.ROT_FACTOR',
  'DATASET.PROB_HALF_BODY',
  'DATASET.NUM_JOINTS_HALF_BODY',
  'TRAIN.OPTIMIZER',
  'TRAIN.LR',
  'TRAIN.LR_FACTOR',
  'TRAIN.LR_STEP',
  'TRAIN.BEGIN_EPOCH',
  'TRAIN.END_EPOCH',
  'TRAIN.BATCH_SIZE_PER_GPU',
  'TRAIN.SHUFFLE',
  'TEST.BATCH_SIZE_PER_GPU',
  'TEST.FLIP_TEST',
  'TEST.POST_PROCESS',
  'TEST.SHIFT_HEATMAP',
  'TEST.IN_VIS_THRE',
  'TEST.OKS_THRE',
  'TEST.SOFT_NMS',
]);

/** Network keys under `MODEL.EXTRA` that do not change the architecture (ImageNet init, `PRETRAINED_LAYERS`). */
const MODEL_EXTRA_IGNORED = ['PRETRAINED_LAYERS'];

/** The official COCO W32 256x192 recipe (`w32_256x192_adam_lr1e-3.yaml`) for everything a preset leaves open. */
function officialDefaults(dataset: 'coco' | 'mpii'): Omit<Experiment, 'model' | 'ignored'> {
  const coco = dataset === 'coco';
  return {
    sigma: 2,
    useTargetWeight: true,
    dataset: {
      dataset,
      root: coco ? 'data/coco/' : 'data/mpii/',
      trainSet: coco ? 'train2017' : 'train',
      testSet: coco ? 'val2017' : 'valid',
      flip: true,
      scaleFactor: coco ? 0.35 : 0.25,
      rotFactor: coco ? 45 : 30,
      probHalfBody: coco ? 0.3 : -1,
      numJointsHalfBody: 8,
    },
    train: {
      optimizer: 'adam',
      lr: 0.001,
      lrFactor: 0.1,
      lrStep: [170, 200],
      beginEpoch: 0,
      endEpoch: 210,
      batchSize: 32,
      shuffle: true,
    },
    test: {
      batchSize: 32,
      flipTest: true,
      postProcess: true,
      shiftHeatmap: true,
      inVisThre: 0.2,
      oksThre: 0.9,
      softNms: false,
    },
  };
}

function flatKeys(value: unknown, prefix: string, out: string[]): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    out.push(prefix);
    return out;
  }
  for (const [key, child] of Object.entries(value)) flatKeys(child, prefix ? `${prefix}.${key}` : key, out);
  return out;
}

function section(root: Yamlish, name: string): Yamlish {
  const value = root[name];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null) throw new ConfigError(`${name}: expected a mapping`);
  return value as Yamlish;
}

function read<T>(obj: Yamlish, key: string, where: string, fallback: T, check: (v: unknown) => boolean): T {
  const value = obj[key];
  if (value === undefined) return fallback;
  if (!check(value)) {
    throw new ConfigError(`${where}.${key}: expected ${typeof fallback}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isBoolean = (v: unknown) => typeof v === 'boolean';
const isString = (v: unknown) => typeof v === 'string';
const isPositiveInt = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
const isEpoch = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

/**
 * Reads an official experiment config (the parsed YAML of `experiments/<dataset>/hrnet/*.yaml`): `MODEL` is the
 * network (see `hrnetConfigFromOfficial`), `DATASET`, `LOSS`, `TRAIN` and `TEST` the recipe. Missing keys take
 * the official defaults; keys training does not use are listed in `ignored` (e.g. `GPUS`, `TRAIN.WD`, which the
 * official Adam never receives).
 */
export function experimentFromOfficial(official: unknown): Experiment {
  if (typeof official !== 'object' || official === null || Array.isArray(official)) {
    throw new ConfigError('config: expected a mapping with MODEL, DATASET, TRAIN and TEST sections');
  }
  const root = official as Yamlish;
  if (root.MODEL === undefined) throw new ConfigError('config: missing MODEL');
  const model = hrnetConfigFromOfficial(root);
  const modelSection = section(root, 'MODEL');
  const datasetSection = section(root, 'DATASET');
  const name = read(datasetSection, 'DATASET', 'DATASET', 'coco', isString);
  if (name !== 'coco' && name !== 'mpii') {
    throw new ConfigError(`DATASET.DATASET: expected coco or mpii, got ${JSON.stringify(name)}`);
  }
  const defaults = officialDefaults(name);
  const targetType = modelSection.TARGET_TYPE ?? 'gaussian';
  if (targetType !== 'gaussian') {
    throw new ConfigError(`MODEL.TARGET_TYPE: only gaussian exists, got ${JSON.stringify(targetType)}`);
  }
  const lossSection = section(root, 'LOSS');
  const trainSection = section(root, 'TRAIN');
  const testSection = section(root, 'TEST');
  const optimizer = read(trainSection, 'OPTIMIZER', 'TRAIN', 'adam', isString);
  if (optimizer !== 'adam') {
    throw new ConfigError(
      `TRAIN.OPTIMIZER: only adam (the official HRNet recipe) is supported, got ${optimizer}`,
    );
  }
  const lrStep = trainSection.LR_STEP ?? defaults.train.lrStep;
  if (!Array.isArray(lrStep) || !lrStep.every(isEpoch)) {
    throw new ConfigError(`TRAIN.LR_STEP: expected a list of epochs, got ${JSON.stringify(lrStep)}`);
  }
  const d = defaults.dataset;
  const t = defaults.train;
  const v = defaults.test;
  const experiment: Experiment = {
    model,
    sigma: read(modelSection, 'SIGMA', 'MODEL', defaults.sigma, isNumber),
    useTargetWeight: read(lossSection, 'USE_TARGET_WEIGHT', 'LOSS', defaults.useTargetWeight, isBoolean),
    dataset: {
      dataset: name,
      root: read(datasetSection, 'ROOT', 'DATASET', d.root, isString),
      trainSet: read(datasetSection, 'TRAIN_SET', 'DATASET', d.trainSet, isString),
      testSet: read(datasetSection, 'TEST_SET', 'DATASET', d.testSet, isString),
      flip: read(datasetSection, 'FLIP', 'DATASET', d.flip, isBoolean),
      scaleFactor: read(datasetSection, 'SCALE_FACTOR', 'DATASET', d.scaleFactor, isNumber),
      rotFactor: read(datasetSection, 'ROT_FACTOR', 'DATASET', d.rotFactor, isNumber),
      probHalfBody: read(datasetSection, 'PROB_HALF_BODY', 'DATASET', d.probHalfBody, isNumber),
      numJointsHalfBody: read(
        datasetSection,
        'NUM_JOINTS_HALF_BODY',
        'DATASET',
        d.numJointsHalfBody,
        isEpoch,
      ),
    },
    train: {
      optimizer: 'adam',
      lr: read(trainSection, 'LR', 'TRAIN', t.lr, isNumber),
      lrFactor: read(trainSection, 'LR_FACTOR', 'TRAIN', t.lrFactor, isNumber),
      lrStep: [...(lrStep as number[])],
      beginEpoch: read(trainSection, 'BEGIN_EPOCH', 'TRAIN', t.beginEpoch, isEpoch),
      endEpoch: read(trainSection, 'END_EPOCH', 'TRAIN', t.endEpoch, isEpoch),
      batchSize: read(trainSection, 'BATCH_SIZE_PER_GPU', 'TRAIN', t.batchSize, isPositiveInt),
      shuffle: read(trainSection, 'SHUFFLE', 'TRAIN', t.shuffle, isBoolean),
    },
    test: {
      batchSize: read(testSection, 'BATCH_SIZE_PER_GPU', 'TEST', v.batchSize, isPositiveInt),
      flipTest: read(testSection, 'FLIP_TEST', 'TEST', v.flipTest, isBoolean),
      postProcess: read(testSection, 'POST_PROCESS', 'TEST', v.postProcess, isBoolean),
      shiftHeatmap: read(testSection, 'SHIFT_HEATMAP', 'TEST', v.shiftHeatmap, isBoolean),
      inVisThre: read(testSection, 'IN_VIS_THRE', 'TEST', v.inVisThre, isNumber),
      oksThre: read(testSection, 'OKS_THRE', 'TEST', v.oksThre, isNumber),
      softNms: read(testSection, 'SOFT_NMS', 'TEST', v.softNms, isBoolean),
    },
    ignored: [],
  };
  if (experiment.train.endEpoch <= experiment.train.beginEpoch) {
    throw new ConfigError(
      `TRAIN.END_EPOCH (${experiment.train.endEpoch}) must be after TRAIN.BEGIN_EPOCH (${experiment.train.beginEpoch})`,
    );
  }
  experiment.ignored = flatKeys(root, '', []).filter((key) => {
    if (key.startsWith('MODEL.EXTRA.')) {
      return MODEL_EXTRA_IGNORED.some(
        (k) => key === `MODEL.EXTRA.${k}` || key.startsWith(`MODEL.EXTRA.${k}.`),
      );
    }
    return !USED.has(key);
  });
  return experiment;
}

/** The experiment of a preset (`w32-coco-256x192`, ...): the official recipe of its dataset, COCO or MPII. */
export function presetExperiment(name: string): Experiment {
  const model = hrnetPreset(name);
  const dataset = model.numJoints === 16 ? 'mpii' : 'coco';
  return { model, ...officialDefaults(dataset), ignored: [] };
}

/**
 * `--config`: a preset name or the path of an official experiment YAML.
 * @throws ConfigError for a missing file, invalid YAML or invalid values
 */
export function loadExperiment(config: string): Experiment {
  if (config in HRNET_PRESETS) return presetExperiment(config);
  if (!existsSync(config)) {
    throw new ConfigError(
      `--config ${config}: no such file and not a preset (presets: ${Object.keys(HRNET_PRESETS).join(', ')})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(config, 'utf8'));
  } catch (error) {
    throw new ConfigError(`${config}: not valid YAML (${(error as Error).message})`);
  }
  return experimentFromOfficial(parsed);
}
