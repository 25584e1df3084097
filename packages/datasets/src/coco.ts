import { boxToCenterScale, COCO_KEYPOINTS } from '@hrnet/decode';
import { type JointsRecord, joinImagePath } from './record';
import { JsonReader } from './validate';

/** One entry of a COCO `images` list (the fields the loader reads). */
export interface CocoImageInfo {
  readonly id: number;
  readonly fileName: string;
  readonly width: number;
  readonly height: number;
}

/** Options of {@link parseCocoKeypoints}. */
export interface CocoKeypointsOptions {
  /** File name used in error messages, e.g. `person_keypoints_val2017.json`. */
  readonly source?: string;
  /** Folder (or URL prefix) holding the images; joined with each `file_name`. Default `''`. */
  readonly imageDir?: string;
  /** Model input width / height (`IMAGE_SIZE[0] / IMAGE_SIZE[1]`); default 192 / 256. */
  readonly aspectRatio?: number;
  /** Box enlargement of `_xywh2cs`; default 1.25. */
  readonly padding?: number;
  /** Keypoints per person; default 17. */
  readonly numJoints?: number;
}

/** The result of {@link parseCocoKeypoints}. */
export interface CocoKeypoints {
  /** Ground-truth samples in the official order (images in file order, their annotations in file order). */
  readonly records: JointsRecord[];
  /** The images of the file, in file order. */
  readonly images: CocoImageInfo[];
  /** Person annotations dropped by the official cleaning: crowd, zero area, empty box or no keypoints. */
  readonly dropped: number;
}

/**
 * Reads a COCO keypoints annotation object (`person_keypoints_*.json` layout) into ground-truth
 * samples as the official `COCODataset._load_coco_keypoint_annotation_kernal`:
 *
 * - crowd annotations (`iscrowd` != 0) and non-person categories are skipped;
 * - boxes are cleaned: `x1 = max(0, x)`, `y1 = max(0, y)`, `x2 = min(width - 1, x1 + max(0, w - 1))`,
 *   `y2 = min(height - 1, y1 + max(0, h - 1))`, kept when `area > 0 and x2 >= x1 and y2 >= y1`, as
 *   `[x1, y1, x2 - x1, y2 - y1]`;
 * - annotations whose keypoints are all 0 (`max(keypoints) == 0`, i.e. `num_keypoints == 0`) are dropped;
 * - visibility is `min(v, 1)`; center/scale come from the cleaned box through
 *   {@link boxToCenterScale} (the official `_box2cs` / `_xywh2cs`, padding 1.25).
 *
 * @throws AnnotationError naming the file and the missing or malformed field.
 */
export function parseCocoKeypoints(json: unknown, options: CocoKeypointsOptions = {}): CocoKeypoints {
  const {
    source = 'annotations',
    imageDir = '',
    aspectRatio = 192 / 256,
    padding = 1.25,
    numJoints = COCO_KEYPOINTS.keypoints.length,
  } = options;
  const r: JsonReader = new JsonReader(source);
  const root = r.object(json, 'the file');
  const images = readImages(r, root);
  const personId = personCategoryId(r, root);
  const byImage = new Map<number, CocoImageInfo>(images.map((img) => [img.id, img]));
  const annsByImage = new Map<number, JointsRecord[]>();
  let dropped = 0;

  r.array(r.field(root, 'annotations', 'the file'), 'annotations').forEach((value, i) => {
    const path = `annotations[${i}]`;
    const ann = r.object(value, path);
    const imageId = r.number(ann, 'image_id', path);
    const categoryId = r.number(ann, 'category_id', path);
    const [x, y, w, h] = r.numbers(ann, 'bbox', path, 4) as [number, number, number, number];
    const area = r.number(ann, 'area', path);
    const iscrowd = 'iscrowd' in ann ? r.number(ann, 'iscrowd', path) : 0;
    if (categoryId !== personId) return;
    const keypoints = r.numbers(ann, 'keypoints', path, numJoints * 3);
    const img = byImage.get(imageId);
    if (!img) r.fail(`${path}.image_id ${imageId} is not in 'images'`);
    if (iscrowd !== 0) {
      dropped++;
      return;
    }
    const x1 = Math.max(0, x);
    const y1 = Math.max(0, y);
    const x2 = Math.min(img.width - 1, x1 + Math.max(0, w - 1));
    const y2 = Math.min(img.height - 1, y1 + Math.max(0, h - 1));
    if (!(area > 0 && x2 >= x1 && y2 >= y1) || Math.max(...keypoints) === 0) {
      dropped++;
      return;
    }
    const joints = new Float64Array(numJoints * 2);
    const jointsVis = new Float64Array(numJoints);
    for (let k = 0; k < numJoints; k++) {
      joints[2 * k] = keypoints[3 * k] as number;
      joints[2 * k + 1] = keypoints[3 * k + 1] as number;
      jointsVis[k] = Math.min(keypoints[3 * k + 2] as number, 1);
    }
    const { center, scale } = boxToCenterScale([x1, y1, x2 - x1, y2 - y1], { aspectRatio, padding });
    const list = annsByImage.get(imageId) ?? [];
    list.push({
      image: joinImagePath(imageDir, img.fileName),
      imageId,
      center,
      scale,
      joints,
      jointsVis,
      score: 1,
    });
    annsByImage.set(imageId, list);
  });

  const records = images.flatMap((img) => annsByImage.get(img.id) ?? []);
  return { records, images, dropped };
}

function readImages(r: JsonReader, root: Record<string, unknown>): CocoImageInfo[] {
  return r.array(r.field(root, 'images', 'the file'), 'images').map((value, i) => {
    const path = `images[${i}]`;
    const img = r.object(value, path);
    return {
      id: r.number(img, 'id', path),
      fileName: r.string(img, 'file_name', path),
      width: r.number(img, 'width', path),
      height: r.number(img, 'height', path),
    };
  });
}

/** The id of the category named `person` (1 in COCO); 1 when the file has no `categories`. */
function personCategoryId(r: JsonReader, root: Record<string, unknown>): number {
  if (!('categories' in root)) return 1;
  const cats = r.array(root.categories, 'categories');
  for (let i = 0; i < cats.length; i++) {
    const cat = r.object(cats[i], `categories[${i}]`);
    if (r.string(cat, 'name', `categories[${i}]`) === 'person')
      return r.number(cat, 'id', `categories[${i}]`);
  }
  return r.fail("categories has no 'person' category");
}
