import { HRNET_PRESETS, type HRNetConfig } from '@hrnet/layers';

/** Model family: the official HRNet, or PaddleDetection's PP-TinyPose (an ncnn export of a Lite-HRNet). */
export type ModelFamily = 'hrnet' | 'pp-tinypose';

/** Dataset the model was trained and evaluated on, which fixes its keypoint set. */
export type ModelDataset = 'coco' | 'mpii';

/** Network definition of a PP-TinyPose card: an ncnn graph (`.param`) and its weights (`.bin`). */
export interface NcnnModelConfig {
  readonly kind: 'ncnn';
  /** File name of the ncnn graph among the card's weight files. */
  readonly param: string;
  /** File name of the ncnn weights among the card's weight files. */
  readonly bin: string;
  /** Name of the input blob (NCHW RGB). */
  readonly inputBlob: string;
  /** Name of the heatmap output blob. */
  readonly outputBlob: string;
}

/**
 * Per-channel input normalisation of RGB pixels in 0-255: `(pixel * pixelScale - mean) / std`, with the
 * constants as published by the model's authors.
 */
export interface Normalization {
  /** 1/255 when `mean`/`std` are on 0-1 values, 1 when they are on 0-255 values. */
  readonly pixelScale: number;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

/** One published accuracy figure, with where it comes from. */
export interface PublishedAccuracy {
  /** E.g. `AP` (COCO keypoint AP, OKS) or `PCKh@0.5` (MPII mean). */
  readonly metric: 'AP' | 'PCKh@0.5';
  /** In percent. */
  readonly value: number;
  /** Evaluation split, e.g. `COCO val2017`. */
  readonly split: string;
  /** Which weights were evaluated: a {@link WeightSource} name. */
  readonly weights: WeightSourceName;
  /** Test protocol (flip test, person detector). */
  readonly protocol: string;
  /** Document the figure is taken from. */
  readonly source: string;
}

/** Who published a set of weight files. */
export type WeightSourceName = 'mmpose' | 'official' | 'ncnn';

/** One published weights file and how to check it. */
export interface WeightFile {
  /** The file name as published; also its name in the cache and in a local mirror (`<dir>/<family>/<fileName>`). */
  readonly fileName: string;
  /** Stable download URL, absent when the publisher only shares a folder link (Google Drive, OneDrive). */
  readonly url?: string;
  /** Full SHA-256 of the file, lowercase hex. */
  readonly sha256?: string;
  /** Leading hex digits of the SHA-256 (MMPose puts the first 8 in the file name). */
  readonly sha256Prefix?: string;
  /** Size in bytes, when published. */
  readonly bytes?: number;
}

/** A set of weight files published by one party for a card. */
export interface WeightSource {
  readonly name: WeightSourceName;
  /** Where the files are published and in what format. */
  readonly description: string;
  readonly format: 'pytorch' | 'ncnn';
  readonly files: readonly WeightFile[];
}

/** Everything needed to run and judge one pretrained model. */
export interface ModelCard {
  readonly id: string;
  readonly family: ModelFamily;
  readonly dataset: ModelDataset;
  /** The HRNet configuration, or the ncnn graph description for PP-TinyPose. */
  readonly config: HRNetConfig | NcnnModelConfig;
  /** Network input as [width, height]. */
  readonly inputSize: readonly [number, number];
  /** Heatmap size as [width, height]. */
  readonly heatmapSize: readonly [number, number];
  readonly normalization: Normalization;
  /** Name of the keypoint set in `@hrnet/decode` (`coco`: 17 keypoints, `mpii`: 16). */
  readonly keypointSet: ModelDataset;
  readonly accuracy: readonly PublishedAccuracy[];
  /** Trainable parameters (weights, biases, BatchNorm scale and shift). */
  readonly parameters: number;
  /** Weight sources in order of preference; `resolveWeights` tries them in this order. */
  readonly weights: readonly WeightSource[];
}

/** Thrown by {@link getModelCard} for an id that is not in the zoo. */
export class UnknownModelError extends Error {
  override name = 'UnknownModelError';
}

/** ImageNet statistics on RGB/255, as the official HRNet code (`transforms.Normalize`). */
export const IMAGENET_NORMALIZATION: Normalization = {
  pixelScale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

/** PP-TinyPose's `(pixel - [123.675, 116.28, 103.53]) * [0.01712475, 0.0175, 0.01742919]` on 0-255 RGB. */
export const PP_TINYPOSE_NORMALIZATION: Normalization = {
  pixelScale: 1,
  mean: [123.675, 116.28, 103.53],
  std: [1 / 0.01712475, 1 / 0.0175, 1 / 0.01742919],
};

const OFFICIAL_README =
  'https://github.com/leoxiaobin/deep-high-resolution-net.pytorch/blob/master/README.md (Main Results)';
const MMPOSE_COCO_DOC =
  'open-mmlab/mmpose (0.x) configs/body/2d_kpt_sview_rgb_img/topdown_heatmap/coco/hrnet_coco.md';
const MMPOSE_MPII_DOC =
  'open-mmlab/mmpose (0.x) configs/body/2d_kpt_sview_rgb_img/topdown_heatmap/mpii/hrnet_mpii.md';
const MMPOSE_CHECKPOINTS = 'https://download.openmmlab.com/mmpose/top_down/hrnet';
const COCO_PROTOCOL = 'flip test, person detector with person AP 56.4 on COCO val2017';
const MPII_PROTOCOL = 'flip test, ground-truth person boxes';

function mmposeSource(fileName: string): WeightSource {
  const sha256Prefix = /-([0-9a-f]{8})_\d{8}\.pth$/.exec(fileName)?.[1];
  if (sha256Prefix === undefined) throw new Error(`MMPose file name ${fileName} has no hash part`);
  return {
    name: 'mmpose',
    description: 'MMPose model zoo checkpoint (state_dict with backbone./keypoint_head. prefixes)',
    format: 'pytorch',
    files: [{ fileName, url: `${MMPOSE_CHECKPOINTS}/${fileName}`, sha256Prefix }],
  };
}

function officialSource(fileName: string): WeightSource {
  return {
    name: 'official',
    description:
      'Official model zoo of leoxiaobin/deep-high-resolution-net.pytorch, shared as a Google Drive / OneDrive ' +
      'folder with no stable per-file URL and no published checksum: download it by hand and place it in the ' +
      'mirror folder (HRNET_WEIGHTS_DIR/hrnet/)',
    format: 'pytorch',
    files: [{ fileName }],
  };
}

interface HRNetCardSpec {
  width: 32 | 48;
  dataset: ModelDataset;
  input: '256x192' | '384x288' | '256x256';
  parameters: number;
  official: { value: number; file: string } | { file: string };
  mmpose: { value: number; file: string };
}

function hrnetCard(spec: HRNetCardSpec): ModelCard {
  const config: HRNetConfig = structuredClone(
    HRNET_PRESETS[`w${spec.width}-${spec.dataset}-${spec.input}` as keyof typeof HRNET_PRESETS],
  );
  const coco = spec.dataset === 'coco';
  const measured = (value: number, weights: WeightSourceName, source: string): PublishedAccuracy => ({
    metric: coco ? 'AP' : 'PCKh@0.5',
    value,
    split: coco ? 'COCO val2017' : 'MPII val',
    weights,
    protocol: coco ? COCO_PROTOCOL : MPII_PROTOCOL,
    source,
  });
  const accuracy = [
    ...('value' in spec.official ? [measured(spec.official.value, 'official', OFFICIAL_README)] : []),
    measured(spec.mmpose.value, 'mmpose', coco ? MMPOSE_COCO_DOC : MMPOSE_MPII_DOC),
  ];
  return {
    id: `hrnet-w${spec.width}-${spec.dataset}-${spec.input}`,
    family: 'hrnet',
    dataset: spec.dataset,
    config,
    inputSize: config.imageSize,
    heatmapSize: config.heatmapSize,
    normalization: IMAGENET_NORMALIZATION,
    keypointSet: spec.dataset,
    accuracy,
    parameters: spec.parameters,
    weights: [mmposeSource(spec.mmpose.file), officialSource(spec.official.file)],
  };
}

const TINYPOSE_URL =
  'https://raw.githubusercontent.com/FeiGeChuanShu/ncnn_Android_PP-TinyPose/1a8515f9039b0b01787bda4fc3f1545f3701c2d9/app/src/main/assets';

interface TinyPoseSpec {
  height: 256 | 128;
  width: 192 | 96;
  ap: number;
  param: { sha256: string; bytes: number };
  bin: { sha256: string; bytes: number };
}

function tinyPoseCard(spec: TinyPoseSpec): ModelCard {
  const size = `${spec.height}x${spec.width}`;
  const file = (fileName: string, checked: { sha256: string; bytes: number }): WeightFile => ({
    fileName,
    url: `${TINYPOSE_URL}/${fileName}`,
    ...checked,
  });
  const param = `tinypose_${size}.param`;
  const bin = `tinypose_${size}.bin`;
  return {
    id: `pp-tinypose-${size}`,
    family: 'pp-tinypose',
    dataset: 'coco',
    config: { kind: 'ncnn', param, bin, inputBlob: 'image', outputBlob: 'save_infer_model/scale_0.tmp_1' },
    inputSize: [spec.width, spec.height],
    heatmapSize: [spec.width / 4, spec.height / 4],
    normalization: PP_TINYPOSE_NORMALIZATION,
    keypointSet: 'coco',
    accuracy: [
      {
        metric: 'AP',
        value: spec.ap,
        split: 'COCO val2017',
        weights: 'ncnn',
        protocol: 'no flip test, detector boxes with score threshold 0.5 (trained on COCO + AI Challenger)',
        source: 'PaddlePaddle/PaddleDetection configs/keypoint/tiny_pose/README_en.md (Model Zoo)',
      },
    ],
    parameters: 1_300_177,
    weights: [
      {
        name: 'ncnn',
        description:
          'ncnn conversion of PP-TinyPose from FeiGeChuanShu/ncnn_Android_PP-TinyPose (BatchNorm folded into the convolutions)',
        format: 'ncnn',
        files: [file(param, spec.param), file(bin, spec.bin)],
      },
    ],
  };
}

const CARDS: readonly ModelCard[] = [
  hrnetCard({
    width: 32,
    dataset: 'coco',
    input: '256x192',
    parameters: 28_536_113,
    official: { value: 74.4, file: 'pose_hrnet_w32_256x192.pth' },
    mmpose: { value: 74.6, file: 'hrnet_w32_coco_256x192-c78dce93_20200708.pth' },
  }),
  hrnetCard({
    width: 32,
    dataset: 'coco',
    input: '384x288',
    parameters: 28_536_113,
    official: { value: 75.8, file: 'pose_hrnet_w32_384x288.pth' },
    mmpose: { value: 76.0, file: 'hrnet_w32_coco_384x288-d9f0d786_20200708.pth' },
  }),
  hrnetCard({
    width: 48,
    dataset: 'coco',
    input: '256x192',
    parameters: 63_595_745,
    official: { value: 75.1, file: 'pose_hrnet_w48_256x192.pth' },
    mmpose: { value: 75.6, file: 'hrnet_w48_coco_256x192-b9e0b3ab_20200708.pth' },
  }),
  hrnetCard({
    width: 48,
    dataset: 'coco',
    input: '384x288',
    parameters: 63_595_745,
    official: { value: 76.3, file: 'pose_hrnet_w48_384x288.pth' },
    mmpose: { value: 76.7, file: 'hrnet_w48_coco_384x288-314c8528_20200708.pth' },
  }),
  hrnetCard({
    width: 32,
    dataset: 'mpii',
    input: '256x256',
    parameters: 28_536_080,
    official: { value: 90.3, file: 'pose_hrnet_w32_256x256.pth' },
    mmpose: { value: 90.0, file: 'hrnet_w32_mpii_256x256-6c4f923f_20200812.pth' },
  }),
  hrnetCard({
    width: 48,
    dataset: 'mpii',
    input: '256x256',
    parameters: 63_595_696,
    // The official README publishes no W48 MPII result; the checkpoint is in its model zoo.
    official: { file: 'pose_hrnet_w48_256x256.pth' },
    mmpose: { value: 90.1, file: 'hrnet_w48_mpii_256x256-92cab7bd_20200812.pth' },
  }),
  tinyPoseCard({
    height: 256,
    width: 192,
    ap: 68.8,
    param: { sha256: '7e418f7ee6e8d4ab11b774cd879ddae22b5f91ea41e5142c2c652e04f3056e85', bytes: 78_602 },
    bin: { sha256: '70fad87fa3004edcae4d628bcb0c6be1ba8b0f93991097b42cf8da6fe8c1968b', bytes: 2_638_360 },
  }),
  tinyPoseCard({
    height: 128,
    width: 96,
    ap: 58.1,
    param: { sha256: '0896706df94718082bc7d573cb1ebf3d28a13907e0ba194d264c23a96f4b84b6', bytes: 78_547 },
    bin: { sha256: '613843a30016d2e1fac23c2a00f2e719a03af5d0662277006ecb051bdcbf19be', bytes: 2_638_360 },
  }),
];

/** Every card in the zoo, HRNet first. */
export function listModelCards(): readonly ModelCard[] {
  return CARDS;
}

/** The card with this id; throws an {@link UnknownModelError} listing the known ids otherwise. */
export function getModelCard(id: string): ModelCard {
  const card = CARDS.find((c) => c.id === id);
  if (card === undefined) {
    throw new UnknownModelError(`unknown model '${id}'; known models: ${CARDS.map((c) => c.id).join(', ')}`);
  }
  return card;
}

/** Whether a card's config is an HRNet configuration (as opposed to an ncnn graph). */
export function isHRNetConfig(config: ModelCard['config']): config is HRNetConfig {
  return !('kind' in config);
}
