import { MetricsError } from './errors';

/** An image entry of a COCO annotation file (only `id` is used by the evaluation). */
export interface CocoEvalImage {
  readonly id: number;
}

/** A category entry of a COCO annotation file (only `id` is used by the evaluation). */
export interface CocoEvalCategory {
  readonly id: number;
}

/** A ground-truth person annotation of a COCO keypoints file, with the fields COCOeval reads. */
export interface CocoKeypointsAnnotation {
  readonly id: number;
  readonly image_id: number;
  readonly category_id: number;
  /** Flat `[x, y, v]` triples; `v > 0` marks a labelled keypoint. */
  readonly keypoints: readonly number[];
  /** 0 makes the annotation an ignore region (pycocotools' keypoint rule). */
  readonly num_keypoints: number;
  /** `[x, y, w, h]`; used for the OKS of annotations without labelled keypoints. */
  readonly bbox: readonly number[];
  /** Segment area: OKS scale and area-range membership. */
  readonly area: number;
  /** Crowd regions are ignored and may match several detections. */
  readonly iscrowd: number | boolean;
}

/** The parts of a COCO keypoints annotation file (`person_keypoints_val2017.json`) COCOeval uses. */
export interface CocoKeypointsGroundTruth {
  readonly images: readonly CocoEvalImage[];
  readonly annotations: readonly CocoKeypointsAnnotation[];
  readonly categories: readonly CocoEvalCategory[];
}

/** One entry of a COCO keypoint results file. */
export interface CocoKeypointsResult {
  readonly image_id: number;
  readonly category_id: number;
  /** Flat `[x, y, score]` triples in original image pixels. */
  readonly keypoints: readonly number[];
  readonly score: number;
  /**
   * Optional `[x, y, w, h]`. As in pycocotools' `loadRes`, when the first result has a non-empty
   * `bbox`, every result's area is `w * h`; otherwise it is the area of the keypoints' extent.
   */
  readonly bbox?: readonly number[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(entry: Json, name: string, what: string): unknown {
  if (!(name in entry)) throw new MetricsError(`${what} has no ${name}`);
  return entry[name];
}

function numberField(entry: Json, name: string, what: string): number {
  const value = field(entry, name, what);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MetricsError(`${what}: ${name} must be a finite number, got ${JSON.stringify(value)}`);
  }
  return value;
}

function numbersField(entry: Json, name: string, what: string, multipleOf: number): readonly number[] {
  const value = field(entry, name, what);
  if (!Array.isArray(value) || value.length % multipleOf !== 0) {
    throw new MetricsError(
      `${what}: ${name} must be an array of ${multipleOf === 3 ? 'number triples' : 'numbers'}`,
    );
  }
  for (let i = 0; i < value.length; i++) {
    const v: unknown = value[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new MetricsError(`${what}: ${name}[${i}] must be a finite number, got ${JSON.stringify(v)}`);
    }
  }
  return value as number[];
}

function arrayOf(json: Json, name: string, source: string): Json[] {
  if (!(name in json)) throw new MetricsError(`${source}: missing '${name}'`);
  const value = json[name];
  if (!Array.isArray(value)) throw new MetricsError(`${source}: '${name}' must be an array`);
  value.forEach((entry, i) => {
    if (!isObject(entry)) throw new MetricsError(`${source}: ${name}[${i}] must be an object`);
  });
  return value as Json[];
}

/**
 * Checks parsed JSON against the COCO keypoints annotation format and returns it typed.
 *
 * @param source name used in error messages, e.g. the file name.
 * @throws MetricsError naming the missing or malformed field, e.g. `ann.json: missing 'annotations'`.
 */
export function parseCocoKeypointsGroundTruth(
  json: unknown,
  source = 'annotations',
): CocoKeypointsGroundTruth {
  if (!isObject(json)) throw new MetricsError(`${source}: expected a COCO annotation object`);
  const images = arrayOf(json, 'images', source);
  for (const [i, image] of images.entries()) numberField(image, 'id', `${source}: image ${i}`);
  const categories = arrayOf(json, 'categories', source);
  for (const [i, category] of categories.entries()) numberField(category, 'id', `${source}: category ${i}`);
  const annotations = arrayOf(json, 'annotations', source);
  annotations.forEach((ann, i) => {
    const what = `${source}: annotation ${i}`;
    for (const name of ['id', 'image_id', 'category_id', 'num_keypoints', 'area'])
      numberField(ann, name, what);
    numbersField(ann, 'keypoints', what, 3);
    if (numbersField(ann, 'bbox', what, 1).length !== 4)
      throw new MetricsError(`${what}: bbox must be [x, y, w, h]`);
    const iscrowd = field(ann, 'iscrowd', what);
    if (typeof iscrowd !== 'number' && typeof iscrowd !== 'boolean') {
      throw new MetricsError(`${what}: iscrowd must be a number or boolean`);
    }
  });
  return json as unknown as CocoKeypointsGroundTruth;
}

/**
 * Checks parsed JSON against the COCO keypoint results format (an array of
 * `{image_id, category_id, keypoints, score}`) and returns it typed.
 *
 * @param source name used in error messages, e.g. the file name.
 * @throws MetricsError naming the entry and field, e.g. `results.json: entry 3 has no keypoints`.
 */
export function parseCocoKeypointsResults(json: unknown, source = 'results'): CocoKeypointsResult[] {
  if (!Array.isArray(json)) throw new MetricsError(`${source}: expected an array of keypoint results`);
  json.forEach((entry: unknown, i) => {
    const what = `${source}: entry ${i}`;
    if (!isObject(entry)) throw new MetricsError(`${what} must be an object`);
    for (const name of ['image_id', 'category_id', 'score']) numberField(entry, name, what);
    numbersField(entry, 'keypoints', what, 3);
    if ('bbox' in entry) numbersField(entry, 'bbox', what, 1);
  });
  return json as CocoKeypointsResult[];
}
