import { oksNms, rescorePose, softOksNms } from '@hrnet/decode';
import {
  COCO_OKS_SIGMAS,
  type CocoEvalOptions,
  type CocoKeypointsEvaluation,
  evaluateCocoKeypoints,
} from './coco-eval';
import type { CocoKeypointsGroundTruth, CocoKeypointsResult } from './coco-format';
import { MetricsError } from './errors';

/**
 * One top-down prediction as the official `evaluate(cfg, preds, output_dir, all_boxes, img_path)`
 * receives it: the decoded keypoints of one person box.
 */
export interface CocoPosePrediction {
  /** COCO image id (the official code parses it from the image path). */
  readonly imageId: number;
  /** Flat `[x, y, score]` triples in original image pixels (`preds[i]`). */
  readonly keypoints: ArrayLike<number>;
  /** Person box score (`all_boxes[i][5]`; 1 for ground-truth boxes). */
  readonly boxScore: number;
  /** Box area used by OKS-NMS (`all_boxes[i][4]` = `scale[0] * scale[1] * 200²`). */
  readonly area: number;
}

/** Options of {@link cocoKeypointResults} (the official `TEST` config values by default). */
export interface CocoResultsOptions {
  /** Category id written to the results (1, person). */
  readonly categoryId?: number;
  /** `TEST.IN_VIS_THRE`: keypoints scoring above it enter the rescoring mean (0.2). */
  readonly inVisThre?: number;
  /** `TEST.OKS_THRE`: OKS-NMS threshold (0.9). */
  readonly oksThre?: number;
  /** `TEST.SOFT_NMS`: Gaussian soft OKS-NMS instead of hard OKS-NMS (false). */
  readonly softNms?: boolean;
  /** OKS sigmas for the NMS; {@link COCO_OKS_SIGMAS} by default. */
  readonly sigmas?: readonly number[];
}

/**
 * The official COCO `evaluate` post-processing that turns predictions into a results file: per
 * image (in order of first appearance), every pose is rescored to `boxScore` × the mean of its
 * keypoint scores above `inVisThre` ({@link rescorePose}), then OKS-NMS (or soft OKS-NMS) at
 * `oksThre` keeps the poses written, best first, as `_write_coco_keypoint_results` does.
 *
 * @throws MetricsError when a prediction's keypoints are not triples matching the sigmas.
 */
export function cocoKeypointResults(
  preds: readonly CocoPosePrediction[],
  options: CocoResultsOptions = {},
): CocoKeypointsResult[] {
  const {
    categoryId = 1,
    inVisThre = 0.2,
    oksThre = 0.9,
    softNms = false,
    sigmas = COCO_OKS_SIGMAS,
  } = options;
  const byImage = new Map<number, { keypoints: number[]; score: number; area: number }[]>();
  preds.forEach((p, i) => {
    if (p.keypoints.length !== 3 * sigmas.length) {
      throw new MetricsError(
        `prediction ${i} has ${p.keypoints.length} values; expected ${sigmas.length} x, y, score triples`,
      );
    }
    const keypoints = Array.from(p.keypoints);
    const score = rescorePose(
      keypoints.filter((_, j) => j % 3 === 2),
      p.boxScore,
      inVisThre,
    );
    let list = byImage.get(p.imageId);
    if (list === undefined) {
      list = [];
      byImage.set(p.imageId, list);
    }
    list.push({ keypoints, score, area: p.area });
  });
  const results: CocoKeypointsResult[] = [];
  for (const [imageId, poses] of byImage) {
    const keep = (softNms ? softOksNms : oksNms)(poses, oksThre, { sigmas });
    for (const i of keep) {
      results.push({
        image_id: imageId,
        category_id: categoryId,
        keypoints: poses[i]!.keypoints,
        score: poses[i]!.score,
      });
    }
  }
  return results;
}

/**
 * The official HRNet COCO evaluation: {@link cocoKeypointResults} (rescoring + OKS-NMS) followed by
 * {@link evaluateCocoKeypoints} (pycocotools' COCOeval).
 */
export function evaluateCocoPredictions(
  gt: CocoKeypointsGroundTruth,
  preds: readonly CocoPosePrediction[],
  options: CocoResultsOptions & CocoEvalOptions = {},
): CocoKeypointsEvaluation {
  return evaluateCocoKeypoints(
    gt,
    cocoKeypointResults(preds, options),
    options.sigmas ? { sigmas: options.sigmas } : {},
  );
}
