import type { CocoKeypointsAnnotation, CocoKeypointsGroundTruth, CocoKeypointsResult } from './coco-format';
import { MetricsError } from './errors';
import { linspace, pairwiseSum, SPACING_1 } from './numeric';

/** pycocotools' `kpt_oks_sigmas`: the 17 COCO per-keypoint constants, computed as `array / 10.0`. */
export const COCO_OKS_SIGMAS: readonly number[] = Object.freeze(
  [0.26, 0.25, 0.25, 0.35, 0.35, 0.79, 0.79, 0.72, 0.72, 0.62, 0.62, 1.07, 1.07, 0.87, 0.87, 0.89, 0.89].map(
    (s) => s / 10,
  ),
);

/** Names of the 10 keypoint summary stats, in pycocotools' `stats` order. */
export const COCO_KEYPOINT_STAT_NAMES = Object.freeze([
  'AP',
  'AP .5',
  'AP .75',
  'AP (M)',
  'AP (L)',
  'AR',
  'AR .5',
  'AR .75',
  'AR (M)',
  'AR (L)',
] as const);

/** pycocotools' keypoint `Params`: OKS thresholds .50:.05:.95, 101 recall points, maxDets 20. */
const IOU_THRS = linspace(0.5, 0.95, 10);
const REC_THRS = linspace(0, 1, 101);
const AREA_RNG: readonly (readonly [number, number])[] = [
  [0, 1e5 ** 2],
  [32 ** 2, 96 ** 2],
  [96 ** 2, 1e5 ** 2],
];
const MAX_DET = 20;
const T = IOU_THRS.length;
const R = REC_THRS.length;
const A = AREA_RNG.length;

/** Options of {@link evaluateCocoKeypoints}. */
export interface CocoEvalOptions {
  /** Per-keypoint OKS sigmas; {@link COCO_OKS_SIGMAS} by default. */
  readonly sigmas?: readonly number[];
}

/** The result of {@link evaluateCocoKeypoints}. */
export interface CocoKeypointsEvaluation {
  /** AP, AP .5, AP .75, AP (M), AP (L), AR, AR .5, AR .75, AR (M), AR (L) (see {@link COCO_KEYPOINT_STAT_NAMES}); -1 where no ground truth counts. */
  readonly stats: readonly number[];
  /** pycocotools' `eval['precision']` `[T=10][R=101][K][A=3]` flattened (maxDets has one value): -1 where undefined. */
  readonly precision: Float64Array;
  /** pycocotools' `eval['recall']` `[T=10][K][A=3]` flattened: -1 where undefined. */
  readonly recall: Float64Array;
  /** Sorted category ids: the `K` axis. */
  readonly catIds: readonly number[];
}

/** A pose compared by {@link computeOks}: flat `[x, y, ...]` triples. */
export interface OksPose {
  readonly keypoints: ArrayLike<number>;
}

function variances(sigmas: readonly number[]): Float64Array {
  return Float64Array.from(sigmas, (s) => s * 2 * (s * 2));
}

/**
 * pycocotools' `computeOks` for one image: the `[dts.length][gts.length]` OKS matrix (row-major)
 * between detections and ground truths. Ground truths without labelled keypoints measure each
 * detected keypoint's distance to their box enlarged to three times its size, as pycocotools does.
 */
export function computeOks(
  dts: readonly OksPose[],
  gts: readonly Pick<CocoKeypointsAnnotation, 'keypoints' | 'bbox' | 'area'>[],
  sigmas: readonly number[] = COCO_OKS_SIGMAS,
): Float64Array {
  const vars = variances(sigmas);
  const k = vars.length;
  const ious = new Float64Array(dts.length * gts.length);
  const e = new Float64Array(k);
  gts.forEach((gt, j) => {
    const g = gt.keypoints;
    let k1 = 0;
    for (let n = 0; n < k; n++) if (g[3 * n + 2]! > 0) k1++;
    const [bx, by, bw, bh] = gt.bbox as [number, number, number, number];
    const x0 = bx - bw;
    const x1 = bx + bw * 2;
    const y0 = by - bh;
    const y1 = by + bh * 2;
    const scale = gt.area + SPACING_1;
    dts.forEach((dt, i) => {
      const d = dt.keypoints;
      let count = 0;
      for (let n = 0; n < k; n++) {
        const xd = d[3 * n]!;
        const yd = d[3 * n + 1]!;
        let dx: number;
        let dy: number;
        if (k1 > 0) {
          if (!(g[3 * n + 2]! > 0)) continue;
          dx = xd - g[3 * n]!;
          dy = yd - g[3 * n + 1]!;
        } else {
          dx = Math.max(0, x0 - xd) + Math.max(0, xd - x1);
          dy = Math.max(0, y0 - yd) + Math.max(0, yd - y1);
        }
        e[count++] = Math.exp(-((dx * dx + dy * dy) / vars[n]! / scale / 2));
      }
      ious[i * gts.length + j] = pairwiseSum(e, 0, count) / count;
    });
  });
  return ious;
}

/** Stable descending order by score: `np.argsort(-scores, kind='mergesort')`. */
function sortByScore(indices: number[], scores: ArrayLike<number>): number[] {
  return indices.sort((a, b) => scores[b]! - scores[a]!);
}

interface Detection {
  readonly id: number;
  readonly keypoints: readonly number[];
  readonly score: number;
  readonly area: number;
}

interface GroundTruth {
  readonly id: number;
  readonly ignore: boolean;
  readonly iscrowd: boolean;
  readonly area: number;
}

/** `evaluateImg` output: per detection and OKS threshold, 0 false positive, 1 true positive, 2 ignored. */
interface ImageEval {
  readonly scores: Float64Array;
  readonly codes: Uint8Array;
  readonly numPositives: number;
}

const FP = 0;
const TP = 1;
const IGNORED = 2;

/** pycocotools' `loadRes` for keypoint results: ids from 1, area from the bbox or the keypoint extent. */
function loadRes(
  results: readonly CocoKeypointsResult[],
  imgIds: ReadonlySet<number>,
  k: number,
): Detection[] {
  const useBbox = results.length > 0 && results[0]!.bbox !== undefined && results[0]!.bbox.length > 0;
  return results.map((r, i) => {
    if (!imgIds.has(r.image_id)) {
      throw new MetricsError(`results entry ${i}: image_id ${r.image_id} is not in the annotations' images`);
    }
    if (r.keypoints.length !== 3 * k) {
      throw new MetricsError(`results entry ${i} has ${r.keypoints.length / 3} keypoints; expected ${k}`);
    }
    let area: number;
    if (useBbox) {
      if (r.bbox === undefined || r.bbox.length !== 4) {
        throw new MetricsError(`results entry ${i} has no bbox [x, y, w, h] (entry 0 has one)`);
      }
      area = r.bbox[2]! * r.bbox[3]!;
    } else {
      let xMin = Number.POSITIVE_INFINITY;
      let xMax = Number.NEGATIVE_INFINITY;
      let yMin = Number.POSITIVE_INFINITY;
      let yMax = Number.NEGATIVE_INFINITY;
      for (let n = 0; n < k; n++) {
        const x = r.keypoints[3 * n]!;
        const y = r.keypoints[3 * n + 1]!;
        xMin = Math.min(xMin, x);
        xMax = Math.max(xMax, x);
        yMin = Math.min(yMin, y);
        yMax = Math.max(yMax, y);
      }
      area = (xMax - xMin) * (yMax - yMin);
    }
    return { id: i + 1, keypoints: r.keypoints, score: r.score, area };
  });
}

/** pycocotools' `evaluateImg` for one image, category and area range. */
function evaluateImg(
  gts: readonly GroundTruth[],
  dts: readonly Detection[],
  ious: Float64Array,
  aRng: readonly [number, number],
): ImageEval {
  const G = gts.length;
  const D = dts.length;
  const gtIgnore = gts.map((g) => g.ignore || g.area < aRng[0] || g.area > aRng[1]);
  // sort gt ignore last (stable)
  const gtind = gts.map((_, i) => i).sort((a, b) => Number(gtIgnore[a]) - Number(gtIgnore[b]));
  const gtIg = gtind.map((i) => gtIgnore[i]!);
  const numPositives = gtIg.reduce((n, ig) => n + (ig ? 0 : 1), 0);
  const codes = new Uint8Array(T * D);
  const dtm = new Float64Array(T * D);
  const dtIg = new Uint8Array(T * D);
  if (G > 0 && D > 0) {
    const gtm = new Float64Array(T * G);
    for (let t = 0; t < T; t++) {
      for (let d = 0; d < D; d++) {
        let iou = Math.min(IOU_THRS[t]!, 1 - 1e-10);
        let m = -1;
        for (let gi = 0; gi < G; gi++) {
          const g = gtind[gi]!;
          // if this gt already matched, and not a crowd, continue
          if (gtm[t * G + gi]! > 0 && !gts[g]!.iscrowd) continue;
          // if dt matched to reg gt, and on ignore gt, stop
          if (m > -1 && !gtIg[m] && gtIg[gi]) break;
          const o = ious[d * G + g]!;
          if (o < iou) continue;
          iou = o;
          m = gi;
        }
        if (m === -1) continue;
        dtIg[t * D + d] = gtIg[m] ? 1 : 0;
        dtm[t * D + d] = gts[gtind[m]!]!.id;
        gtm[t * G + m] = dts[d]!.id;
      }
    }
  }
  for (let d = 0; d < D; d++) {
    const outside = dts[d]!.area < aRng[0] || dts[d]!.area > aRng[1];
    for (let t = 0; t < T; t++) {
      const matched = dtm[t * D + d] !== 0;
      const ignored = dtIg[t * D + d] === 1 || (!matched && outside);
      codes[t * D + d] = ignored ? IGNORED : matched ? TP : FP;
    }
  }
  return { scores: Float64Array.from(dts, (d) => d.score), codes, numPositives };
}

/** pycocotools' `accumulate` for one category and area range: writes precision[t][r] and recall[t]. */
function accumulate(
  E: readonly ImageEval[],
  precision: Float64Array,
  recall: Float64Array,
  k: number,
  a: number,
  K: number,
) {
  const npig = E.reduce((n, e) => n + e.numPositives, 0);
  if (npig === 0) return;
  const nd = E.reduce((n, e) => n + e.scores.length, 0);
  const scores = new Float64Array(nd);
  const owner = new Uint32Array(nd);
  const local = new Uint32Array(nd);
  let offset = 0;
  E.forEach((e, ei) => {
    scores.set(e.scores, offset);
    for (let d = 0; d < e.scores.length; d++) {
      owner[offset + d] = ei;
      local[offset + d] = d;
    }
    offset += e.scores.length;
  });
  const inds = sortByScore(
    Array.from({ length: nd }, (_, i) => i),
    scores,
  );
  // codes in score order, [t][i]
  const sorted = new Uint8Array(T * nd);
  inds.forEach((at, i) => {
    const e = E[owner[at]!]!;
    const D = e.scores.length;
    for (let t = 0; t < T; t++) sorted[t * nd + i] = e.codes[t * D + local[at]!]!;
  });
  const rc = new Float64Array(nd);
  const pr = new Float64Array(nd);
  for (let t = 0; t < T; t++) {
    let tp = 0;
    let fp = 0;
    for (let i = 0; i < nd; i++) {
      const code = sorted[t * nd + i];
      if (code === TP) tp++;
      else if (code === FP) fp++;
      rc[i] = tp / npig;
      pr[i] = tp / (fp + tp + SPACING_1);
    }
    recall[(t * K + k) * A + a] = nd > 0 ? rc[nd - 1]! : 0;
    for (let i = nd - 1; i > 0; i--) if (pr[i]! > pr[i - 1]!) pr[i - 1] = pr[i]!;
    // np.searchsorted(rc, recThrs, side='left'); pycocotools stops at the first index past the end
    let pi = 0;
    for (let ri = 0; ri < R; ri++) {
      while (pi < nd && rc[pi]! < REC_THRS[ri]!) pi++;
      const q = pi < nd ? pr[pi]! : 0;
      precision[((t * R + ri) * K + k) * A + a] = q;
    }
  }
}

/** pycocotools' `_summarize`: mean of the defined (> -1) entries, or -1 when there are none. */
function summarize(values: ArrayLike<number>, pick: (i: number) => boolean): number {
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) if (pick(i) && values[i]! > -1) kept.push(values[i]!);
  return kept.length === 0 ? -1 : pairwiseSum(kept) / kept.length;
}

/**
 * COCO keypoint evaluation, a re-implementation of pycocotools'
 * `COCOeval(gt, gt.loadRes(results), 'keypoints')` `evaluate()`, `accumulate()`, `summarize()`:
 * OKS matching at thresholds .50:.05:.95, up to 20 detections per image (highest scores first,
 * stable ties), crowd and `num_keypoints == 0` annotations ignored, area ranges all / medium
 * (32²..96²) / large (96²..1e10), 101-point interpolated precision, and -1 for undefined stats.
 *
 * Differences: an empty `results` array scores 0 (pycocotools raises on it).
 *
 * @throws MetricsError for results on images absent from `gt.images` or with a keypoint count other
 *   than the sigmas'.
 */
export function evaluateCocoKeypoints(
  gt: CocoKeypointsGroundTruth,
  results: readonly CocoKeypointsResult[],
  options: CocoEvalOptions = {},
): CocoKeypointsEvaluation {
  const sigmas = options.sigmas ?? COCO_OKS_SIGMAS;
  const k = sigmas.length;
  const imgIds = [...new Set(gt.images.map((img) => img.id))].sort((a, b) => a - b);
  const catIds = [...new Set(gt.categories.map((c) => c.id))].sort((a, b) => a - b);
  const imgIndex = new Map(imgIds.map((id, i) => [id, i]));
  const catIndex = new Map(catIds.map((id, i) => [id, i]));
  const K = catIds.length;
  const I = imgIds.length;
  const cell = (img: number, cat: number) => catIndex.get(cat)! * I + imgIndex.get(img)!;

  const gtCells: CocoKeypointsAnnotation[][] = Array.from({ length: K * I }, () => []);
  for (const [i, ann] of gt.annotations.entries()) {
    if (ann.keypoints.length !== 3 * k) {
      throw new MetricsError(
        `annotation ${i} (id ${ann.id}) has ${ann.keypoints.length / 3} keypoints; expected ${k}`,
      );
    }
    if (imgIndex.has(ann.image_id) && catIndex.has(ann.category_id)) {
      gtCells[cell(ann.image_id, ann.category_id)]!.push(ann);
    }
  }
  const dtCells: Detection[][] = Array.from({ length: K * I }, () => []);
  for (const [i, dt] of loadRes(results, new Set(imgIds), k).entries()) {
    const r = results[i]!;
    if (catIndex.has(r.category_id)) dtCells[cell(r.image_id, r.category_id)]!.push(dt);
  }

  const precision = new Float64Array(T * R * K * A).fill(-1);
  const recall = new Float64Array(T * K * A).fill(-1);
  for (let c = 0; c < K; c++) {
    const perArea: ImageEval[][] = AREA_RNG.map(() => []);
    for (let im = 0; im < I; im++) {
      const anns = gtCells[c * I + im]!;
      const all = dtCells[c * I + im]!;
      if (anns.length === 0 && all.length === 0) continue;
      const dts = sortByScore(
        all.map((_, i) => i),
        all.map((d) => d.score),
      )
        .slice(0, MAX_DET)
        .map((i) => all[i]!);
      const ious = computeOks(dts, anns, sigmas);
      const gts: GroundTruth[] = anns.map((g) => ({
        id: g.id,
        iscrowd: Boolean(g.iscrowd),
        ignore: Boolean(g.iscrowd) || g.num_keypoints === 0,
        area: g.area,
      }));
      for (const [a, aRng] of AREA_RNG.entries()) perArea[a]!.push(evaluateImg(gts, dts, ious, aRng));
    }
    perArea.forEach((E, a) => {
      if (E.length > 0) accumulate(E, precision, recall, c, a, K);
    });
  }

  const tAt = (thr: number) => IOU_THRS.indexOf(thr);
  const ap = (a: number, t?: number) =>
    summarize(precision, (i) => i % A === a && (t === undefined || Math.floor(i / (R * K * A)) === t));
  const ar = (a: number, t?: number) =>
    summarize(recall, (i) => i % A === a && (t === undefined || Math.floor(i / (K * A)) === t));
  const stats = [
    ap(0),
    ap(0, tAt(0.5)),
    ap(0, tAt(0.75)),
    ap(1),
    ap(2),
    ar(0),
    ar(0, tAt(0.5)),
    ar(0, tAt(0.75)),
    ar(1),
    ar(2),
  ];
  return { stats, precision, recall, catIds };
}
