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
  type Heatmaps,
  type KeypointSet,
  MPII_KEYPOINTS,
  type Pose,
  type Vec2,
} from '@hrnet/decode';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelCard, Normalization } from '../zoo/cards';
import { predictWithFlipTest } from '../zoo/flip-test';
import { flipTestNchw } from '../zoo/flip-test-nchw';
import { type ImageInput, toRgbImage } from './image';
import { isNchwNetwork, type NchwHeatmaps, type NchwShape, type PoseNetwork } from './network';

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

/** Milliseconds spent in each stage of {@link PoseEstimator.estimatePosesDetailed}. */
export interface StageTimings {
  /** Reading the image, cropping and normalising. */
  readonly preprocessMs: number;
  /** The network, including reading its heatmaps back from the backend. */
  readonly forwardMs: number;
  /** Heatmaps to keypoints in image pixels. */
  readonly decodeMs: number;
}

/** Result of {@link PoseEstimator.estimatePosesDetailed}. */
export interface DetailedEstimate {
  readonly poses: Pose[];
  /** The network's heatmaps `[N, K, h, w]`, one instance per person. */
  readonly heatmaps: Heatmaps;
  /** The crop of each person: heatmap `n` covers `scale * 200` pixels around `center`. */
  readonly instances: readonly { readonly center: Vec2; readonly scale: Vec2 }[];
  readonly timings: StageTimings;
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

/** {@link normalizeInto} writing planar NCHW (`[3, H, W]` at `offset`), for networks outside tfjs. */
function normalizeIntoNchw(
  crop: Uint8Array,
  normalization: Normalization,
  out: Float32Array,
  offset: number,
): void {
  const { pixelScale, mean, std } = normalization;
  const plane = crop.length / 3;
  for (let c = 0; c < 3; c++) {
    const scale = pixelScale / std[c]!;
    const shift = mean[c]! / std[c]!;
    const base = offset + c * plane;
    for (let p = 0; p < plane; p++) out[base + p] = crop[p * 3 + c]! * scale - shift;
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
    private readonly network: PoseNetwork,
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
      poses.push(...(await this.estimateBatch(rgb, people.slice(start, start + batchSize), options)).poses);
    }
    return poses;
  }

  /**
   * {@link estimatePoses} in one batch, also returning the heatmaps, the crops they were computed on and the
   * time of each stage, for demos and profiling. `forwardMs` includes reading the heatmaps back from the
   * backend, so that it covers the asynchronous GPU work.
   */
  async estimatePosesDetailed(
    image: ImageInput,
    options: Omit<EstimatePosesOptions, 'batchSize'> = {},
  ): Promise<DetailedEstimate> {
    const start = performance.now();
    const rgb = await toRgbImage(image);
    const readMs = performance.now() - start;
    const people = options.people ?? [{ box: [0, 0, rgb.width, rgb.height] as const }];
    const batch = await this.estimateBatch(rgb, people, options);
    return { ...batch, timings: { ...batch.timings, preprocessMs: readMs + batch.timings.preprocessMs } };
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
  ): Promise<DetailedEstimate> {
    const startMs = performance.now();
    const [width, height] = this.card.inputSize;
    const instances = people.map((p) => this.centerScale(p));
    const pixels = width * height * 3;
    const input = new Float32Array(people.length * pixels);
    const crop = new Uint8Array(pixels);
    const normalize = isNchwNetwork(this.network) ? normalizeIntoNchw : normalizeInto;
    instances.forEach(({ center, scale }, i) => {
      warpAffine(rgb, getAffineTransform(center, scale, 0, [width, height]), width, height, { out: crop });
      normalize(crop, this.card.normalization, input, i * pixels);
    });
    const forwardStart = performance.now();
    const {
      data,
      shape: [n, k, h, w],
    } = await this.forward(input, [people.length, 3, height, width], options.flipTest ?? false);
    const decodeStart = performance.now();
    const heatmaps = createHeatmaps(data, [n, k, h, w]);
    const poses = decodeHeatmaps(heatmaps, {
      centers: instances.map((i) => i.center),
      scales: instances.map((i) => i.scale),
      boxScores: people.map((p) => p.score ?? 1),
      method: options.decode ?? 'official',
      keypoints: this.keypoints,
    });
    const end = performance.now();
    return {
      poses,
      heatmaps,
      instances,
      timings: {
        preprocessMs: forwardStart - startMs,
        forwardMs: decodeStart - forwardStart,
        decodeMs: end - decodeStart,
      },
    };
  }

  /**
   * The network (with the flip test if asked) on normalised crops: NCHW for a network outside tfjs, else NHWC
   * (`shape` is the NCHW shape either way); heatmaps as NCHW.
   */
  private async forward(input: Float32Array, shape: NchwShape, flipTest: boolean): Promise<NchwHeatmaps> {
    const { network } = this;
    const { flipPairs } = this.keypoints;
    if (isNchwNetwork(network)) {
      const run = (x: Float32Array, s: NchwShape) => network.run(x, s);
      return flipTest ? flipTestNchw(run, input, shape, flipPairs) : run(input, shape);
    }
    const predict = (x: tf.Tensor4D) => network.predict(x);
    const [n, , height, width] = shape;
    const nchw = tf.tidy(() => {
      const x = tf.tensor4d(input, [n, height, width, 3]);
      const nhwc = flipTest ? predictWithFlipTest(predict, x, flipPairs) : predict(x);
      return tf.transpose(nhwc, [0, 3, 1, 2]);
    });
    const data = (await nchw.data()) as Float32Array;
    const heatmaps = { data, shape: nchw.shape as NchwShape };
    nchw.dispose();
    return heatmaps;
  }

  /** Frees the network's tensors. */
  dispose(): void {
    this.network.dispose();
  }
}
