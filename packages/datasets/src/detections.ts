import { boxToCenterScale } from '@hrnet/decode';
import type { JointsRecord } from './record';
import { JsonReader } from './validate';

/** Options of {@link parseCocoDetections}. */
export interface CocoDetectionsOptions {
  /** File name used in error messages, e.g. `COCO_val2017_detections_AP_H_56_person.json`. */
  readonly source?: string;
  /** Image path or URL of an image id, e.g. from the annotation file's `images`. */
  readonly imagePath: (imageId: number) => string;
  /** Boxes scoring below this are dropped (the official `TEST.IMAGE_THRE`); default 0.0. */
  readonly imageThreshold?: number;
  /** Model input width / height; default 192 / 256. */
  readonly aspectRatio?: number;
  /** Box enlargement of `_xywh2cs`; default 1.25. */
  readonly padding?: number;
  /** Keypoints per person; default 17. */
  readonly numJoints?: number;
}

/**
 * Reads person detections (the layout of the official `COCO_val2017_detections_AP_H_56_person.json`:
 * a list of `{image_id, category_id, bbox: [x, y, w, h], score}`) into test samples as the official
 * `_load_coco_person_detection_results`: non-person (`category_id != 1`) and `score < imageThreshold`
 * boxes are dropped, the raw (uncleaned) box gives center/scale, joints are 0 and visibilities 1.
 *
 * @throws AnnotationError naming the file and the missing or malformed field.
 */
export function parseCocoDetections(json: unknown, options: CocoDetectionsOptions): JointsRecord[] {
  const {
    source = 'detections',
    imageThreshold = 0,
    aspectRatio = 192 / 256,
    padding = 1.25,
    numJoints = 17,
  } = options;
  const r: JsonReader = new JsonReader(source);
  const records: JointsRecord[] = [];
  r.array(json, 'the file').forEach((value, i) => {
    const path = `[${i}]`;
    const det = r.object(value, path);
    const categoryId = r.number(det, 'category_id', path);
    const imageId = r.number(det, 'image_id', path);
    const box = r.numbers(det, 'bbox', path, 4) as [number, number, number, number];
    const score = r.number(det, 'score', path);
    if (categoryId !== 1 || score < imageThreshold) return;
    const { center, scale } = boxToCenterScale(box, { aspectRatio, padding });
    records.push({
      image: options.imagePath(imageId),
      imageId,
      center,
      scale,
      joints: new Float64Array(numJoints * 2),
      jointsVis: new Float64Array(numJoints).fill(1),
      score,
    });
  });
  return records;
}

/** The official COCO image file name of an id: `%012d.jpg`. */
export function cocoImageFileName(imageId: number): string {
  return `${String(imageId).padStart(12, '0')}.jpg`;
}
