import type { RgbImage } from '@hrnet/datasets';
import { warpAffine } from '@hrnet/datasets';
import {
  type BoxXywh,
  boxToCenterScale,
  COCO_KEYPOINTS,
  createHeatmaps,
  type DecodeMethod,
  decodeHeatmaps,
  getAffineTransform,
  type KeypointSet,
  MPII_KEYPOINTS,
  type Pose,
  type Vec2,
} from '@hrnet/decode';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelCard, Normalization } from '../zoo/cards';
import { predictWithFlipTest } from '../zoo/flip-test';
import { type ImageInput, toRgbImage } from './image';
import type { HeatmapNetwork } from './network';

/** What a {@link PoseEstimator} needs to know of its model: a zoo card has it all. */
export type EstimatorModel = Pick<ModelCard, 'id' | 'inputSize' | 'normalization' | 'keypointSet'>;

/** A person to estimate: a box `[x, y, w, h]` in image pixels, or the official center/scale directly. */
export type PersonInstance =
  | { readonly box: BoxXywh; readonly score?: number }
  | { readonly center: Vec2; readonly scale: Vec2; readonly score?: number };

/** Options of {@link PoseEstimator.estimatePoses}. */
export interface EstimatePosesOptions {
  /** The people to estimate; without it the whole image is one box. Scores default to 1. */
  readonly people?: readonly PersonInstance[];
  /** The official flip test (average with the mirrored input's heatmaps). Default false. */
  readonly flipTest?: boolean;
  /** Heatmap decoding: `official` (quarter offset), `dark` or `udp`. Default `official`. */
  readonly decode?: Exclude<DecodeMethod, 'argmax'>;
  /** Crops per network call. Default 16. */
  readonly batchSize?: number;
}

const KEYPOINT_SETS: Record<ModelCard['keypointSet'], KeypointSet> = {
  coco: COCO_KEYPOINTS,
  mpii: MPII_KEYPOINTS,
};

/** Box padding around a person, as the official `_xywh2cs`. */
const BOX_PADDING = 1.25;

/** `(pixel * pixelScale - mean) / std` per channel, for a whole RGB crop written into `out` at `offset`. */
function normalizeInto(
  crop: Uint8Array,
  normalization: Normalization,
  out: Float32Array,
  offset: number,
): void {
  const { pixelScale, mean, std } = normalization;
  for (let i = 0; i < crop.length; i += 3) {
    for (let c = 0; c < 3; c++) out[offset + i + c] = (crop[i + c]! * pixelScale - mean[c]!) / std[c]!;
  }
}

/**
 * Top-down pose estimation with one zoo model: each person is cut out of the image with the official affine
 * crop (center/scale, padding 1.25, OpenCV-exact bilinear sampling), normalised as the model was trained,
 * run through the network in batches (optionally with the official flip test) and decoded back to image
 * pixels with `@hrnet/decode`. Poses follow the pose-detection convention `{keypoints: {x, y, score, name}[],
 * score, box}`, with `score` the official rescoring (box score x mean of keypoint scores above 0.2).
 */
export class PoseEstimator {
  readonly keypoints: KeypointSet;

  constructor(
    readonly card: EstimatorModel,
    private readonly network: HeatmapNetwork,
  ) {
    this.keypoints = KEYPOINT_SETS[card.keypointSet];
  }

  /** Estimates the poses of `options.people` (or of the whole image as one person) in `image`. */
  async estimatePoses(image: ImageInput, options: EstimatePosesOptions = {}): Promise<Pose[]> {
    const rgb = await toRgbImage(image);
    const people = options.people ?? [{ box: [0, 0, rgb.width, rgb.height] as const }];
    const batchSize = options.batchSize ?? 16;
    if (!(batchSize >= 1)) throw new Error(`batchSize must be at least 1, got ${batchSize}`);
    const poses: Pose[] = [];
    for (let start = 0; start < people.length; start += batchSize) {
      poses.push(...(await this.estimateBatch(rgb, people.slice(start, start + batchSize), options)));
    }
    return poses;
  }

  private centerScale(person: PersonInstance): { center: Vec2; scale: Vec2 } {
    if ('center' in person) return person;
    const [width, height] = this.card.inputSize;
    return boxToCenterScale(person.box, { aspectRatio: width / height, padding: BOX_PADDING });
  }

  private async estimateBatch(
    rgb: RgbImage,
    people: readonly PersonInstance[],
    options: EstimatePosesOptions,
  ): Promise<Pose[]> {
    const [width, height] = this.card.inputSize;
    const instances = people.map((p) => this.centerScale(p));
    const pixels = width * height * 3;
    const input = new Float32Array(people.length * pixels);
    const crop = new Uint8Array(pixels);
    instances.forEach(({ center, scale }, i) => {
      warpAffine(rgb, getAffineTransform(center, scale, 0, [width, height]), width, height, { out: crop });
      normalizeInto(crop, this.card.normalization, input, i * pixels);
    });
    const predict = (x: tf.Tensor4D) => this.network.predict(x);
    const heatmaps = tf.tidy(() => {
      const x = tf.tensor4d(input, [people.length, height, width, 3]);
      const nhwc = options.flipTest ? predictWithFlipTest(predict, x, this.keypoints.flipPairs) : predict(x);
      return tf.transpose(nhwc, [0, 3, 1, 2]);
    });
    const [n, k, h, w] = heatmaps.shape as [number, number, number, number];
    const data = (await heatmaps.data()) as Float32Array;
    heatmaps.dispose();
    return decodeHeatmaps(createHeatmaps(data, [n, k, h, w]), {
      centers: instances.map((i) => i.center),
      scales: instances.map((i) => i.scale),
      boxScores: people.map((p) => p.score ?? 1),
      method: options.decode ?? 'official',
      keypoints: this.keypoints,
    });
  }

  /** Frees the network's tensors. */
  dispose(): void {
    this.network.dispose();
  }
}
