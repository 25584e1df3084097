/**
 * COCO keypoint evaluation time of @hrnet/datasets for ~100k results: the sample ground truth
 * (data/coco-sample/test_coco.json, 4 images, 14 people) replicated into 12,500 synthetic images,
 * each person detected twice with seeded pixel noise plus one stray pose per image. Reports the
 * full pycocotools-equivalent `evaluateCocoKeypoints` against two baselines measured in the same
 * run: `JSON.parse` of the results file text and the OKS computation alone (`computeOks` on every
 * image's top-20 detections). Single thread; median of several runs.
 *
 * Run: cd tools && npx tsx --conditions=@hrnet/source src/bench-coco-eval.ts
 */
import { readFileSync } from 'node:fs';
import {
  type CocoKeypointsAnnotation,
  type CocoKeypointsGroundTruth,
  type CocoKeypointsResult,
  computeOks,
  evaluateCocoKeypoints,
  parseCocoKeypointsGroundTruth,
  parseCocoKeypointsResults,
} from '@hrnet/datasets';
import { dataPath } from '../../testing/shared';
import { median } from './timing';

const COPIES = 3125;
const RUNS = 5;

let state = 12345;
function random(): number {
  state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
  return state / 2 ** 32;
}

function synthetic(): { gt: CocoKeypointsGroundTruth; resultsText: string } {
  const sample = parseCocoKeypointsGroundTruth(
    JSON.parse(readFileSync(dataPath('coco-sample', 'test_coco.json'), 'utf8')),
  );
  const images: { id: number }[] = [];
  const annotations: CocoKeypointsAnnotation[] = [];
  const results: CocoKeypointsResult[] = [];
  for (let c = 0; c < COPIES; c++) {
    for (const image of sample.images) {
      const imageId = c * 1_000_000 + image.id;
      images.push({ id: imageId });
      const people = sample.annotations.filter((a) => a.image_id === image.id);
      for (const ann of people) {
        annotations.push({ ...ann, id: annotations.length + 1, image_id: imageId });
        for (const noise of [2, 8]) {
          const keypoints = ann.keypoints.map((v, i) =>
            i % 3 === 2 ? random() : v + (random() - 0.5) * 2 * noise + (ann.num_keypoints === 0 ? 100 : 0),
          );
          results.push({ image_id: imageId, category_id: 1, keypoints, score: random() });
        }
      }
      const stray = people[0]!.keypoints.map((v, i) => (i % 3 === 2 ? random() : v + 150 * random()));
      results.push({ image_id: imageId, category_id: 1, keypoints: stray, score: random() * 0.5 });
    }
  }
  return { gt: { images, annotations, categories: sample.categories }, resultsText: JSON.stringify(results) };
}

function time(fn: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    fn();
    times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

const { gt, resultsText } = synthetic();
const results = parseCocoKeypointsResults(JSON.parse(resultsText));

// OKS alone, as COCOeval computes it: per image, the top-20 detections by score against its people
const gtByImage = new Map<number, CocoKeypointsAnnotation[]>();
for (const ann of gt.annotations) gtByImage.set(ann.image_id, [...(gtByImage.get(ann.image_id) ?? []), ann]);
const dtByImage = new Map<number, CocoKeypointsResult[]>();
for (const r of results) dtByImage.set(r.image_id, [...(dtByImage.get(r.image_id) ?? []), r]);
const topDts = [...dtByImage].map(
  ([id, dts]) => [id, [...dts].sort((a, b) => b.score - a.score).slice(0, 20)] as const,
);

let stats: readonly number[] = [];
const rows: [string, number][] = [
  ['JSON.parse of the results text (baseline)', time(() => JSON.parse(resultsText))],
  ['parse + validate results', time(() => parseCocoKeypointsResults(JSON.parse(resultsText)))],
  [
    'OKS only, computeOks per image (baseline)',
    time(() => {
      for (const [id, dts] of topDts) computeOks(dts, gtByImage.get(id) ?? []);
    }),
  ],
  ['evaluateCocoKeypoints (full COCOeval)', time(() => (stats = evaluateCocoKeypoints(gt, results).stats))],
];

console.log(
  `COCO keypoint evaluation: ${results.length} results, ${gt.images.length} images, ${gt.annotations.length} annotations; node ${process.version}, median of ${RUNS}`,
);
const width = Math.max(...rows.map(([name]) => name.length));
console.log(`| ${'stage'.padEnd(width)} | seconds |`);
console.log(`| ${'-'.repeat(width)} | ------: |`);
for (const [name, seconds] of rows)
  console.log(`| ${name.padEnd(width)} | ${seconds.toFixed(3).padStart(7)} |`);
console.log(`stats: ${stats.map((s) => s.toFixed(3)).join(' ')}`);
