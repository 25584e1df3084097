import { MPII_KEYPOINTS } from '@hrnet/decode';
import { type JointsRecord, joinImagePath } from './record';
import { JsonReader } from './validate';

/** Options of {@link parseMpii}. */
export interface MpiiOptions {
  /** File name used in error messages, e.g. `train.json`. */
  readonly source?: string;
  /** Folder (or URL prefix) holding the images. Default `''`. */
  readonly imageDir?: string;
  /** The official `image_set == 'test'`: joints are not read (all 0, invisible). Default false. */
  readonly test?: boolean;
}

/**
 * Reads the official HRNet MPII json (a list of `{image, center, scale, joints (16 x 2),
 * joints_vis}`) as `MPIIDataset._get_db`, with its quirks: the annotations are 1-based MATLAB
 * coordinates, so `center[1] += 15 * scale` and `scale *= 1.25` (unless `center[0] == -1`), then
 * `center -= 1` and `joints -= 1` (an unlabelled joint stored as (0, 0) becomes (-1, -1), weight 0).
 * `scale` becomes `[scale, scale]`.
 *
 * @throws AnnotationError naming the file and the missing or malformed field.
 */
export function parseMpii(json: unknown, options: MpiiOptions = {}): JointsRecord[] {
  const { source = 'annotations', imageDir = '', test = false } = options;
  const numJoints = MPII_KEYPOINTS.keypoints.length;
  const r: JsonReader = new JsonReader(source);
  return r.array(json, 'the file').map((value, i) => {
    const path = `[${i}]`;
    const a = r.object(value, path);
    const image = r.string(a, 'image', path);
    let [cx, cy] = r.numbers(a, 'center', path, 2) as [number, number];
    let s = r.number(a, 'scale', path);
    if (cx !== -1) {
      cy += 15 * s;
      s *= 1.25;
    }
    cx -= 1;
    cy -= 1;
    const joints = new Float64Array(numJoints * 2);
    const jointsVis = new Float64Array(numJoints);
    if (!test) {
      const rows = r.array(r.field(a, 'joints', path), `${path}.joints`);
      if (rows.length !== numJoints)
        r.fail(`${path}.joints must have ${numJoints} joints, got ${rows.length}`);
      rows.forEach((row, k) => {
        const xy = r.array(row, `${path}.joints[${k}]`);
        if (xy.length < 2 || typeof xy[0] !== 'number' || typeof xy[1] !== 'number') {
          r.fail(`${path}.joints[${k}] must be [x, y] numbers`);
        }
        joints[2 * k] = xy[0] - 1;
        joints[2 * k + 1] = xy[1] - 1;
      });
      jointsVis.set(r.numbers(a, 'joints_vis', path, numJoints));
    }
    return {
      image: joinImagePath(imageDir, image),
      imageId: i,
      center: [cx, cy],
      scale: [s, s],
      joints,
      jointsVis,
      score: 1,
    };
  });
}
