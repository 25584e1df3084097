import { DecodeError } from './errors';

/**
 * A list of 2-D points (centers, scales, sizes): either pairs `[[x, y], ...]` or a flat
 * `[x0, y0, x1, y1, ...]` array such as a `Float32Array` of shape (N, 2).
 */
export type PointList = ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;

/**
 * Flattens `points` into a `Float64Array` of `2 * count` values.
 *
 * @throws DecodeError naming `what` when the count differs from `count` (described by `owner`, e.g.
 *   "heatmaps have 8 instances") or a value is not finite.
 */
export function readPoints(points: PointList, what: string, count: number, owner: string): Float64Array {
  const nested = points.length > 0 && typeof points[0] === 'object';
  const length = nested ? points.length : points.length / 2;
  if (!Number.isInteger(length)) {
    throw new DecodeError(
      `${what} has ${points.length} values; a flat list needs an even number (x, y pairs)`,
    );
  }
  if (length !== count) {
    throw new DecodeError(`${owner} but ${what} has ${length}`);
  }
  const out = new Float64Array(2 * count);
  for (let i = 0; i < count; i++) {
    let x: number;
    let y: number;
    if (nested) {
      const pair = (points as ReadonlyArray<ArrayLike<number>>)[i]!;
      if (pair.length !== 2) throw new DecodeError(`${what}[${i}] must have 2 values, got ${pair.length}`);
      x = pair[0]!;
      y = pair[1]!;
    } else {
      x = (points as ArrayLike<number>)[2 * i]!;
      y = (points as ArrayLike<number>)[2 * i + 1]!;
    }
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      throw new DecodeError(`${what}[${i}] must be finite, got (${x}, ${y})`);
    }
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
  return out;
}
