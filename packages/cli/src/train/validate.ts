import { nhwcToNchw } from '@hrnet/core';
import {
  COCO_KEYPOINT_STAT_NAMES,
  type CocoPosePrediction,
  evaluateCocoPredictions,
  pckBbox,
  type TopDownLoader,
} from '@hrnet/datasets/node';
import { createHeatmaps, getFinalPreds, type Heatmaps, mergeFlipped, PIXEL_STD } from '@hrnet/decode';
import type { PoseHighResolutionNet } from '@hrnet/layers';
import * as tf from '@tensorflow/tfjs-core';
import { keypointsOf, type Split } from './data';
import type { Experiment } from './experiment';

/** The box padding of `_xywh2cs` (the record's scale is the person box × 1.25, in units of 200 px). */
const BOX_PADDING = 1.25;

async function heatmapsOf(net: PoseHighResolutionNet, images: tf.Tensor4D): Promise<Heatmaps> {
  const nchw = tf.tidy(() => nhwcToNchw(net.predict(images)));
  const data = (await nchw.data()) as Float32Array;
  const [n, k, h, w] = nchw.shape as [number, number, number, number];
  nchw.dispose();
  return createHeatmaps(data, [n, k, h, w]);
}

/**
 * The official `validate()` on ground-truth boxes: eval-mode forward (with `TEST.FLIP_TEST`, averaged with the
 * flipped-back, shifted heatmaps of the mirrored crop), `get_final_preds` to image pixels, then the official
 * COCO evaluation (rescoring, OKS-NMS, COCOeval) for COCO; PCK@0.2 of the person box for every dataset.
 * Returns the metrics by name (`AP`, `AP .5`, ..., `PCK@0.2`).
 */
export async function validate(
  net: PoseHighResolutionNet,
  experiment: Experiment,
  split: Split,
  loader: TopDownLoader,
): Promise<Record<string, number>> {
  const { flipPairs } = keypointsOf(experiment);
  const test = experiment.test;
  const preds: CocoPosePrediction[] = [];
  const pck = { preds: [] as number[][][], gts: [] as number[][][], visible: [] as Float64Array[] };
  const boxes: number[][] = [];
  for await (const batch of loader.epoch(0)) {
    const images = tf.tensor4d(batch.images, [...batch.imageShape]);
    let heatmaps: Heatmaps;
    try {
      heatmaps = await heatmapsOf(net, images);
      if (test.flipTest) {
        const mirrored = tf.reverse(images, 2) as tf.Tensor4D;
        const flipped = await heatmapsOf(net, mirrored);
        mirrored.dispose();
        heatmaps = mergeFlipped(heatmaps, flipped, flipPairs, { shiftHeatmap: test.shiftHeatmap });
      }
    } finally {
      images.dispose();
    }
    const centers = batch.indices.map((i) => split.records[i]!.center);
    const scales = batch.indices.map((i) => split.records[i]!.scale);
    const {
      coords,
      maxvals,
      numKeypoints: k,
    } = getFinalPreds(heatmaps, centers, scales, {
      postProcess: test.postProcess,
    });
    batch.indices.forEach((recordIndex, n) => {
      const record = split.records[recordIndex]!;
      const keypoints: number[] = [];
      const predicted: number[][] = [];
      const truth: number[][] = [];
      for (let j = 0; j < k; j++) {
        const x = coords[2 * (n * k + j)]!;
        const y = coords[2 * (n * k + j) + 1]!;
        keypoints.push(x, y, maxvals[n * k + j]!);
        predicted.push([x, y]);
        truth.push([record.joints[2 * j]!, record.joints[2 * j + 1]!]);
      }
      const [sw, sh] = record.scale;
      preds.push({
        imageId: record.imageId,
        keypoints,
        boxScore: record.score,
        area: sw * sh * PIXEL_STD ** 2,
      });
      pck.preds.push(predicted);
      pck.gts.push(truth);
      pck.visible.push(record.jointsVis);
      const size = (Math.max(sw, sh) * PIXEL_STD) / BOX_PADDING;
      boxes.push([0, 0, size, size]);
    });
  }
  const metrics: Record<string, number> = { 'PCK@0.2': pckBbox(pck, boxes, 0.2).pck };
  if (split.groundTruth !== undefined) {
    const { stats } = evaluateCocoPredictions(split.groundTruth, preds, {
      inVisThre: test.inVisThre,
      oksThre: test.oksThre,
      softNms: test.softNms,
    });
    COCO_KEYPOINT_STAT_NAMES.forEach((name, i) => {
      metrics[name] = stats[i]!;
    });
  }
  return metrics;
}
