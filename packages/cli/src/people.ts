import { basename } from 'node:path';
import { loadCocoDetections } from '@hrnet/datasets/node';
import type { EstimatorModel, PersonInstance } from '@hrnet/models-zoo';

/**
 * `--boxes`: person detections in the COCO results layout (`[{image_id, category_id, bbox, score}]`, e.g.
 * `COCO_val2017_detections_AP_H_56_person.json`), by image file name (`%012d.jpg` of the image id), with
 * center/scale as the official `_xywh2cs` for the model's aspect ratio. Read as `hrnet eval --boxes` reads
 * them (`loadCocoDetections`), with the same errors.
 */
export async function readDetections(
  file: string,
  model: EstimatorModel,
  threshold: number,
): Promise<Map<string, PersonInstance[]>> {
  const [width, height] = model.inputSize;
  const records = await loadCocoDetections(file, {
    imageDir: '',
    imageThreshold: threshold,
    aspectRatio: width / height,
  });
  const byImage = new Map<string, PersonInstance[]>();
  for (const { image, center, scale, score } of records) {
    const name = basename(image);
    byImage.set(name, [...(byImage.get(name) ?? []), { center, scale, score }]);
  }
  return byImage;
}
