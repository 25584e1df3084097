import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  type CocoKeypointsGroundTruth,
  createTopDownLoader,
  type JointsRecord,
  loadCocoKeypoints,
  loadMpii,
  parseCocoKeypointsGroundTruth,
  type TopDownConfig,
  type TopDownLoader,
} from '@hrnet/datasets/node';
import { COCO_KEYPOINTS, MPII_KEYPOINTS } from '@hrnet/decode';
import { UsageError } from '../errors';
import type { Experiment } from './experiment';

/** One split of a dataset: its samples and, for COCO, the ground truth the official evaluation needs. */
export interface Split {
  /** The annotation file it was read from. */
  file: string;
  records: JointsRecord[];
  /** COCO only: the annotation file, for COCOeval. */
  groundTruth?: CocoKeypointsGroundTruth;
}

/** Training and validation splits of an experiment. */
export interface TrainingData {
  train: Split;
  val: Split;
}

/**
 * Where a split's annotations and images are: the official layout first (COCO
 * `ROOT/annotations/person_keypoints_<SET>.json` with `ROOT/images/<SET>/`; MPII `ROOT/annot/<SET>.json` with
 * `ROOT/images/`), else a flat folder holding `ROOT/<SET>.json` next to its images (the sample folders).
 */
export function splitPaths(experiment: Experiment, set: string): { annotations: string; images: string } {
  const { dataset, root } = experiment.dataset;
  const official =
    dataset === 'coco'
      ? {
          annotations: join(root, 'annotations', `person_keypoints_${set}.json`),
          images: join(root, 'images', set),
        }
      : { annotations: join(root, 'annot', `${set}.json`), images: join(root, 'images') };
  if (existsSync(official.annotations)) return official;
  const flat = { annotations: join(root, `${set}.json`), images: root };
  if (existsSync(flat.annotations)) return flat;
  throw new UsageError(
    `DATASET ${dataset} ${set}: found neither ${official.annotations} nor ${flat.annotations} (set DATASET.ROOT or --data-root)`,
  );
}

async function loadSplit(experiment: Experiment, set: string): Promise<Split> {
  const { annotations, images } = splitPaths(experiment, set);
  const [width, height] = experiment.model.imageSize;
  if (experiment.dataset.dataset === 'mpii') {
    return { file: annotations, records: await loadMpii(annotations, { imageDir: images }) };
  }
  const coco = await loadCocoKeypoints(annotations, {
    imageDir: images,
    aspectRatio: width / height,
    numJoints: experiment.model.numJoints,
  });
  const groundTruth = parseCocoKeypointsGroundTruth(
    JSON.parse(readFileSync(annotations, 'utf8')),
    basename(annotations),
  );
  return { file: annotations, records: coco.records, groundTruth };
}

/** Reads the `TRAIN_SET` and `TEST_SET` annotations (ground-truth boxes, as `TEST.USE_GT_BBOX`). */
export async function loadTrainingData(experiment: Experiment): Promise<TrainingData> {
  const [train, val] = await Promise.all([
    loadSplit(experiment, experiment.dataset.trainSet),
    loadSplit(experiment, experiment.dataset.testSet),
  ]);
  if (train.records.length === 0) throw new UsageError(`${train.file}: no usable person annotations`);
  return { train, val };
}

/** The keypoint layout of the experiment's dataset. */
export function keypointsOf(experiment: Experiment) {
  return experiment.dataset.dataset === 'mpii' ? MPII_KEYPOINTS : COCO_KEYPOINTS;
}

/** The top-down pipeline of the experiment, for training (augmented) or validation. */
export function pipelineConfig(experiment: Experiment, train: boolean): TopDownConfig {
  const d = experiment.dataset;
  return {
    imageSize: experiment.model.imageSize,
    heatmapSize: experiment.model.heatmapSize,
    sigma: experiment.sigma,
    keypoints: keypointsOf(experiment),
    train,
    augment: {
      flip: d.flip,
      scaleFactor: d.scaleFactor,
      rotationFactor: d.rotFactor,
      halfBodyProb: d.probHalfBody,
      halfBodyJoints: d.numJointsHalfBody,
    },
    targetLayout: 'NHWC',
  };
}

/** Loader options shared by training and validation. */
export interface LoaderSettings {
  /** Seed of the shuffle and augmentation. */
  seed: number;
  /** Worker threads (0: the calling thread). */
  workers: number;
  /** Training without augmentation (the pipeline's `train: false`), e.g. for an overfit check. */
  augment: boolean;
}

/** The training loader: shuffled per `TRAIN.SHUFFLE`, incomplete last batch dropped (PyTorch `drop_last` off). */
export function trainLoader(
  experiment: Experiment,
  records: JointsRecord[],
  settings: LoaderSettings,
): TopDownLoader {
  return createTopDownLoader(records, pipelineConfig(experiment, settings.augment), {
    batchSize: experiment.train.batchSize,
    shuffle: experiment.train.shuffle,
    seed: settings.seed,
    workers: settings.workers,
    dropLast: false,
  });
}

/** The validation loader: file order, no augmentation. */
export function valLoader(
  experiment: Experiment,
  records: JointsRecord[],
  settings: LoaderSettings,
): TopDownLoader {
  return createTopDownLoader(records, pipelineConfig(experiment, false), {
    batchSize: experiment.test.batchSize,
    shuffle: false,
    seed: settings.seed,
    workers: settings.workers,
  });
}
