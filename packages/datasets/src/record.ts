import type { Vec2 } from '@hrnet/decode';

/**
 * One top-down sample before augmentation: the official `db` entry (`image`, `center`, `scale`,
 * `joints_3d`, `joints_3d_vis`, `score`).
 *
 * `joints` holds `joints_3d[:, 0:2]` as flat `[x0, y0, x1, y1, ...]` (the official third column is
 * always 0) and `jointsVis` holds `joints_3d_vis[:, 0]` (the official copies it into column 1 and
 * keeps 0 in column 2), so both are plain typed arrays that cross worker boundaries cheaply.
 */
export interface JointsRecord {
  /** Image path (Node) or URL (browser). */
  readonly image: string;
  /** COCO image id; for MPII, the annotation's index in its file. */
  readonly imageId: number;
  /** Box center in image pixels. */
  readonly center: Vec2;
  /** Box size in units of 200 pixels (`PIXEL_STD`), padded as the loader defines. */
  readonly scale: Vec2;
  /** Keypoint coordinates, 2 per joint. */
  readonly joints: Float64Array;
  /** Visibility per joint: 0 (unlabelled) or 1 (labelled); detection boxes hold 1 everywhere. */
  readonly jointsVis: Float64Array;
  /** Detection score (1 for ground-truth boxes). */
  readonly score: number;
}

/** Joins an image folder (path or URL prefix) and a file name with a single `/`. */
export function joinImagePath(dir: string, file: string): string {
  if (dir === '') return file;
  return dir.endsWith('/') || dir.endsWith('\\') ? `${dir}${file}` : `${dir}/${file}`;
}
