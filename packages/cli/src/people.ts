import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { cocoImageFileName, parseCocoDetections } from '@hrnet/datasets';
import type { EstimatorModel, PersonInstance } from '@hrnet/models-zoo';
import { UsageError } from './errors';

/**
 * `--boxes`: person detections in the COCO results layout (`[{image_id, category_id, bbox, score}]`, e.g.
 * `COCO_val2017_detections_AP_H_56_person.json`), by image file name (`%012d.jpg` of the image id), with
 * center/scale as the official `_xywh2cs` for the model's aspect ratio.
 */
export function readDetections(
  file: string,
  model: EstimatorModel,
  threshold: number,
): Map<string, PersonInstance[]> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--boxes ${file}: ${(error as Error).message}`);
  }
  const [width, height] = model.inputSize;
  const records = parseCocoDetections(json, {
    source: basename(file),
    imagePath: cocoImageFileName,
    imageThreshold: threshold,
    aspectRatio: width / height,
  });
  const byImage = new Map<string, PersonInstance[]>();
  for (const { image, center, scale, score } of records) {
    byImage.set(image, [...(byImage.get(image) ?? []), { center, scale, score }]);
  }
  return byImage;
}
