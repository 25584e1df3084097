import { DecodeError } from './errors';

/** A 2x3 affine matrix in row-major order: `[a, b, c, d, e, f]` maps (x, y) to (ax + by + c, dx + ey + f). */
export type AffineMatrix = readonly [number, number, number, number, number, number];

/** A 2-D point or size as `[x, y]` / `[width, height]`. */
export type Vec2 = readonly [number, number];

/** The official pixel standard: a scale of 1 is 200 pixels. */
export const PIXEL_STD = 200;

const f32 = Math.fround;

/**
 * The affine matrix through three point correspondences, as `cv2.getAffineTransform` (solved in
 * float64).
 */
function affineFromPoints(src: readonly number[], dst: readonly number[]): AffineMatrix {
  const [x0, y0, x1, y1, x2, y2] = src as [number, number, number, number, number, number];
  const [u0, v0, u1, v1, u2, v2] = dst as [number, number, number, number, number, number];
  const dx1 = x1 - x0;
  const dy1 = y1 - y0;
  const dx2 = x2 - x0;
  const dy2 = y2 - y0;
  const det = dx1 * dy2 - dx2 * dy1;
  if (det === 0) throw new DecodeError('affine transform is degenerate (zero scale)');
  const a = ((u1 - u0) * dy2 - (u2 - u0) * dy1) / det;
  const b = (dx1 * (u2 - u0) - dx2 * (u1 - u0)) / det;
  const d = ((v1 - v0) * dy2 - (v2 - v0) * dy1) / det;
  const e = (dx1 * (v2 - v0) - dx2 * (v1 - v0)) / det;
  return [a, b, u0 - a * x0 - b * y0, d, e, v0 - d * x0 - e * y0];
}

/**
 * The official `get_affine_transform(center, scale, rot, output_size, shift, inv)`: maps the box of
 * `scale * 200` pixels around `center`, rotated by `rot` degrees, onto an `outputSize` (width,
 * height) image; `inv` gives the output-to-image direction.
 *
 * Like the official code (float32 point arrays), the three point pairs are rounded to float32
 * before solving. A scale that is exactly a float32 value is taken to be one (the official datasets
 * hold center/scale in float32 arrays), and numpy then computes `scale * 200` in float32 too.
 *
 * @throws DecodeError for a non-finite input or a zero scale.
 */
export function getAffineTransform(
  center: Vec2,
  scale: Vec2 | number,
  rot: number,
  outputSize: Vec2,
  shift: Vec2 = [0, 0],
  inv = false,
): AffineMatrix {
  const [sx, sy] = typeof scale === 'number' ? [scale, scale] : scale;
  for (const [name, v] of [
    ['center', center[0]],
    ['center', center[1]],
    ['scale', sx],
    ['scale', sy],
    ['rot', rot],
    ['shift', shift[0]],
    ['shift', shift[1]],
  ] as const) {
    if (!Number.isFinite(v)) throw new DecodeError(`getAffineTransform: ${name} must be finite, got ${v}`);
  }
  const scaleW = f32(sx) === sx ? f32(sx * PIXEL_STD) : sx * PIXEL_STD;
  const scaleH = f32(sy) === sy ? f32(sy * PIXEL_STD) : sy * PIXEL_STD;
  const [dstW, dstH] = outputSize;
  const rotRad = (Math.PI * rot) / 180;
  const sn = Math.sin(rotRad);
  const cs = Math.cos(rotRad);
  // get_dir([0, src_w * -0.5], rot_rad)
  const p = scaleW * -0.5;
  const srcDirX = 0 * cs - p * sn;
  const srcDirY = 0 * sn + p * cs;
  const shiftX = scaleW * shift[0];
  const shiftY = scaleH * shift[1];
  const s0x = f32(center[0] + shiftX);
  const s0y = f32(center[1] + shiftY);
  const s1x = f32(center[0] + srcDirX + shiftX);
  const s1y = f32(center[1] + srcDirY + shiftY);
  const d0x = f32(dstW * 0.5);
  const d0y = f32(dstH * 0.5);
  const d1x = f32(dstW * 0.5 + 0);
  const d1y = f32(dstH * 0.5 + f32(dstW * -0.5));
  const [s2x, s2y] = thirdPoint(s0x, s0y, s1x, s1y);
  const [d2x, d2y] = thirdPoint(d0x, d0y, d1x, d1y);
  const src = [s0x, s0y, s1x, s1y, s2x, s2y];
  const dst = [d0x, d0y, d1x, d1y, d2x, d2y];
  return inv ? affineFromPoints(dst, src) : affineFromPoints(src, dst);
}

/** The official `get_3rd_point`: `b` plus `a - b` turned by 90 degrees, in float32 like the original. */
function thirdPoint(ax: number, ay: number, bx: number, by: number): [number, number] {
  const dx = f32(ax - bx);
  const dy = f32(ay - by);
  return [f32(bx - dy), f32(by + dx)];
}

/**
 * MMPose's `get_udp_warp_matrix(center, scale, rot, output_size)` for unbiased data processing
 * (UDP): maps the box of `boxSize` pixels (MMPose's `scale`, i.e. official scale * 200) around
 * `center` onto an `outputSize` image so that box edges land on pixel centres 0 and size - 1.
 * Entries are rounded to float32 as MMPose stores them.
 */
export function getUdpWarpMatrix(center: Vec2, boxSize: Vec2, rot: number, outputSize: Vec2): AffineMatrix {
  if (!(boxSize[0] > 0 && boxSize[1] > 0)) {
    throw new DecodeError(`getUdpWarpMatrix: boxSize must be positive, got [${boxSize.join(', ')}]`);
  }
  // MMPose's quirk: input_size = center * 2.
  const inW = center[0] * 2;
  const inH = center[1] * 2;
  const rotRad = (rot * Math.PI) / 180;
  const cs = Math.cos(rotRad);
  const sn = Math.sin(rotRad);
  const scaleX = (outputSize[0] - 1) / boxSize[0];
  const scaleY = (outputSize[1] - 1) / boxSize[1];
  return [
    f32(cs * scaleX),
    f32(-sn * scaleX),
    f32(scaleX * (-0.5 * inW * cs + 0.5 * inH * sn + 0.5 * boxSize[0])),
    f32(sn * scaleY),
    f32(cs * scaleY),
    f32(scaleY * (-0.5 * inW * sn - 0.5 * inH * cs + 0.5 * boxSize[1])),
  ];
}

/** The official `affine_transform(pt, t)`: applies `t` to the point `(x, y)`. */
export function affineTransform(pt: Vec2, t: AffineMatrix): [number, number] {
  return [t[0] * pt[0] + t[1] * pt[1] + t[2], t[3] * pt[0] + t[4] * pt[1] + t[5]];
}

/**
 * The inverse of an affine matrix.
 *
 * @throws DecodeError when `t` is singular.
 */
export function invertAffine(t: AffineMatrix): AffineMatrix {
  const [a, b, c, d, e, f] = t;
  const det = a * e - b * d;
  if (det === 0 || !Number.isFinite(det)) throw new DecodeError('invertAffine: matrix is singular');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** Options of {@link transformPreds}. */
export interface TransformPredsOptions {
  /**
   * Use MMPose's UDP mapping (`scale * 200 / (size - 1)` per heatmap pixel, edges on pixel
   * centres) instead of the official affine. Default false.
   */
  readonly udp?: boolean;
}

/**
 * The official `transform_preds(coords, center, scale, output_size)`: heatmap coordinates
 * (flat x, y pairs) of one instance back to image coordinates through the inverse affine of
 * center/scale, `outputSize` being the heatmap (width, height). With `udp`, MMPose's
 * `transform_preds(..., use_udp=True)`.
 */
export function transformPreds(
  coords: ArrayLike<number>,
  center: Vec2,
  scale: Vec2,
  outputSize: Vec2,
  options: TransformPredsOptions = {},
): Float64Array {
  if (coords.length % 2 !== 0) {
    throw new DecodeError(`transformPreds: coords has ${coords.length} values; expected x, y pairs`);
  }
  const out = new Float64Array(coords.length);
  if (options.udp) {
    const w = scale[0] * PIXEL_STD;
    const h = scale[1] * PIXEL_STD;
    const sx = w / (outputSize[0] - 1);
    const sy = h / (outputSize[1] - 1);
    for (let i = 0; i < coords.length; i += 2) {
      out[i] = coords[i]! * sx + center[0] - w * 0.5;
      out[i + 1] = coords[i + 1]! * sy + center[1] - h * 0.5;
    }
    return out;
  }
  const t = getAffineTransform(center, scale, 0, outputSize, [0, 0], true);
  for (let i = 0; i < coords.length; i += 2) {
    const x = coords[i]!;
    const y = coords[i + 1]!;
    out[i] = t[0] * x + t[1] * y + t[2];
    out[i + 1] = t[3] * x + t[4] * y + t[5];
  }
  return out;
}

/** A box as `[x, y, width, height]` (COCO `bbox`, pose-detection xywh). */
export type BoxXywh = readonly [x: number, y: number, width: number, height: number];

/** Options of {@link boxToCenterScale}. */
export interface BoxToCenterScaleOptions {
  /** Width / height of the model input, e.g. 192 / 256 = 0.75. */
  readonly aspectRatio: number;
  /** Enlargement of the box around the person; the official value is 1.25. */
  readonly padding?: number;
}

/**
 * The official `_xywh2cs`: center of the box, and scale (in units of 200 pixels) after growing the
 * shorter side to `aspectRatio` and enlarging by `padding` (1.25).
 */
export function boxToCenterScale(
  box: BoxXywh,
  options: BoxToCenterScaleOptions,
): { center: [number, number]; scale: [number, number] } {
  const [x, y, w0, h0] = box;
  const { aspectRatio, padding = 1.25 } = options;
  if (![x, y, w0, h0, aspectRatio, padding].every(Number.isFinite) || !(aspectRatio > 0)) {
    throw new DecodeError(`boxToCenterScale: box [${box.join(', ')}] and aspectRatio must be finite`);
  }
  let w = w0;
  let h = h0;
  if (w > aspectRatio * h) h = w / aspectRatio;
  else if (w < aspectRatio * h) w = h * aspectRatio;
  return {
    center: [x + w0 * 0.5, y + h0 * 0.5],
    scale: [(w / PIXEL_STD) * padding, (h / PIXEL_STD) * padding],
  };
}
