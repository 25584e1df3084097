import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { setBackend } from '@hrnet/core';
import { writeFileAtomic } from '@hrnet/core/node';
import {
  COCO_KEYPOINT_STAT_NAMES,
  type CocoKeypointsGroundTruth,
  type CocoKeypointsResult,
  type CocoPosePrediction,
  cocoKeypointResults,
  evaluateCocoKeypoints,
  type JointsRecord,
  parseCocoKeypoints,
  parseCocoKeypointsGroundTruth,
  parseCocoKeypointsResults,
} from '@hrnet/datasets';
import { decodeImageFile, loadCocoDetections } from '@hrnet/datasets/node';
import { PIXEL_STD } from '@hrnet/decode';
import { PoseEstimator } from '@hrnet/models-zoo';
import { backendOption, decodeOption, RUNTIME_HELP, readJsonOption, required, runtimeOption } from '../args';
import { UsageError } from '../errors';
import { loadModelOptions, withRuntime } from '../model';

export const evalHelp = `Usage: hrnet eval --annotations <ann.json> --results <results.json> [--json]
       hrnet eval --annotations <ann.json> --images <dir> --model <zoo id|converted dir> [--boxes det.json] [--json]

Prints the 10 stats of the pycocotools keypoint evaluation (OKS, maxDets 20): AP, AP .5, AP .75, AP (M),
AP (L), AR, AR .5, AR .75, AR (M), AR (L).

With --results, scores an existing COCO keypoint results file as it is (no rescoring or OKS-NMS).
With --images and a model, runs the official COCO evaluation of the official code's validate(): every
person box (ground truth by default, or --boxes) is cropped, run through the network and decoded; poses are
rescored (box score x mean keypoint score above 0.2) and OKS-NMS'ed (0.9) per image, then scored.

Options:
  --annotations    COCO keypoints annotation file (e.g. person_keypoints_val2017.json)
  --results        COCO keypoint results file: [{"image_id", "category_id", "keypoints", "score"}, ...]
  --images         folder of the annotation file's images
  --model          model zoo id or a folder written by 'hrnet convert' (or --config with --weights)
  --boxes          person detections (COCO_val2017_detections_AP_H_56_person.json layout); default: the
                   ground-truth boxes of annotations with keypoints, as TEST.USE_GT_BBOX
  --box-threshold  drop detections below this score (TEST.IMAGE_THRE, default 0.0)
  --flip-test / --no-flip-test  the official flip test (default off)
  --decode         official | dark | udp (default official)
  --backend        cpu | wasm | webgl | webgpu | tensorflow (default wasm)
${RUNTIME_HELP}  --out            folder for keypoints_results.json and stats.json (model mode)
  --json           print {"stats": [10 numbers in pycocotools order], "names": [...]} instead of a table

Examples:
  hrnet eval --annotations person_keypoints_val2017.json --results keypoints_val2017_results.json
  HRNET_WEIGHTS_DIR=../shared/models hrnet eval --annotations ../shared/data/coco-sample/test_coco.json \\
    --images ../shared/data/coco-sample --model pp-tinypose-256x192 --flip-test --json
`;

/** Runs the model on every person of every image and returns the official COCO results. */
async function predictResults(
  estimator: PoseEstimator,
  records: readonly JointsRecord[],
  options: { flipTest: boolean; decode: 'official' | 'dark' | 'udp' },
): Promise<CocoKeypointsResult[]> {
  const byImage = new Map<string, JointsRecord[]>();
  for (const record of records) byImage.set(record.image, [...(byImage.get(record.image) ?? []), record]);
  const predictions: CocoPosePrediction[] = [];
  for (const [image, people] of byImage) {
    const rgb = await decodeImageFile(image);
    const poses = await estimator.estimatePoses(rgb, { people, ...options });
    poses.forEach((pose, i) => {
      const { imageId, scale, score } = people[i]!;
      predictions.push({
        imageId,
        keypoints: pose.keypoints.flatMap((k) => [k.x, k.y, k.score]),
        boxScore: score,
        area: scale[0] * scale[1] * PIXEL_STD * PIXEL_STD,
      });
    });
  }
  return cocoKeypointResults(predictions);
}

function printStats(stats: readonly number[], json: boolean, footer: string): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ stats, names: COCO_KEYPOINT_STAT_NAMES })}\n`);
    return;
  }
  const width = Math.max(...COCO_KEYPOINT_STAT_NAMES.map((n) => n.length));
  const rows = COCO_KEYPOINT_STAT_NAMES.map((name, i) => `${name.padEnd(width)}  ${stats[i]!.toFixed(3)}`);
  process.stdout.write(`${'Metric'.padEnd(width)}  Value\n${rows.join('\n')}\n${footer}\n`);
}

/** `hrnet eval`: COCO keypoint evaluation of a results file, or of a model on an image folder. */
export async function evalCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    allowNegative: true,
    options: {
      annotations: { type: 'string' },
      results: { type: 'string' },
      images: { type: 'string' },
      model: { type: 'string' },
      config: { type: 'string' },
      weights: { type: 'string' },
      boxes: { type: 'string' },
      'box-threshold': { type: 'string', default: '0' },
      'flip-test': { type: 'boolean', default: false },
      decode: { type: 'string', default: 'official' },
      backend: { type: 'string', default: 'wasm' },
      runtime: { type: 'string', default: 'tfjs' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(evalHelp);
    return 0;
  }
  const annotationsPath = required(values, 'annotations');
  if ((values.results === undefined) === (values.images === undefined)) {
    throw new UsageError(
      'give --results <file>, or --images <dir> with a model (--model or --config/--weights)',
    );
  }
  const annotationsJson = await readJsonOption(annotationsPath, 'annotations');
  const gt: CocoKeypointsGroundTruth = parseCocoKeypointsGroundTruth(annotationsJson, annotationsPath);
  if (values.results !== undefined) {
    const results = parseCocoKeypointsResults(
      await readJsonOption(values.results, 'results'),
      values.results,
    );
    const { stats } = evaluateCocoKeypoints(gt, results);
    const footer = `(${results.length} results on ${gt.images.length} images; -1 means no ground truth in that area range)`;
    printStats(stats, values.json, footer);
    return 0;
  }

  const imageDir = required(values, 'images');
  const decode = decodeOption(values.decode);
  const threshold = Number(values['box-threshold']);
  if (!Number.isFinite(threshold))
    throw new UsageError(`--box-threshold ${values['box-threshold']}: not a number`);
  const runtime = runtimeOption(values.runtime);
  await setBackend(backendOption(values.backend));
  const { model, network } = await withRuntime(await loadModelOptions(values), runtime);
  const estimator = new PoseEstimator(model, network);
  try {
    const [width, height] = model.inputSize;
    const coco = parseCocoKeypoints(annotationsJson, {
      source: basename(annotationsPath),
      imageDir,
      aspectRatio: width / height,
    });
    const records =
      values.boxes === undefined
        ? coco.records
        : await loadCocoDetections(values.boxes, {
            imageDir,
            images: coco.images,
            imageThreshold: threshold,
            aspectRatio: width / height,
          });
    const results = await predictResults(estimator, records, { flipTest: values['flip-test'], decode });
    const { stats } = evaluateCocoKeypoints(gt, results);
    if (values.out !== undefined) {
      mkdirSync(values.out, { recursive: true });
      await writeFileAtomic(join(values.out, 'keypoints_results.json'), `${JSON.stringify(results)}\n`);
      const summary = {
        model: model.id,
        boxes: values.boxes ?? 'ground truth',
        flipTest: values['flip-test'],
        decode,
        stats,
        names: COCO_KEYPOINT_STAT_NAMES,
      };
      await writeFileAtomic(join(values.out, 'stats.json'), `${JSON.stringify(summary, null, 2)}\n`);
    }
    const boxes =
      values.boxes === undefined ? 'ground-truth boxes' : `detections of ${basename(values.boxes)}`;
    const footer = `(${model.id} on ${records.length} ${boxes}, flip test ${values['flip-test'] ? 'on' : 'off'}, ${decode} decode)`;
    printStats(stats, values.json, footer);
  } finally {
    estimator.dispose();
  }
  return 0;
}
