import type { Rng } from './rng';

const f32 = Math.fround;

/**
 * The official `JointsDataset.half_body_transform`: the box of the visible upper-body joints or
 * the visible lower-body joints. Upper is taken when `randn() < 0.5` and it has more than 2 visible
 * joints, else lower when it has more than 2, else upper; fewer than 2 selected joints give `null`.
 * The box is widened to `aspectRatio` and scaled by 1.5 (no 1.25 padding), in float32 like the
 * original.
 *
 * @param joints - flat `[x, y]` per joint (image pixels).
 * @param jointsVis - visibility per joint.
 * @param upperBody - indices of the upper-body joints (`upper_body_ids`).
 */
export function halfBodyTransform(
  joints: ArrayLike<number>,
  jointsVis: ArrayLike<number>,
  upperBody: readonly number[],
  aspectRatio: number,
  rng: Rng,
): { center: [number, number]; scale: [number, number] } | null {
  const upper: number[] = [];
  const lower: number[] = [];
  for (let k = 0; k < jointsVis.length; k++) {
    if ((jointsVis[k] as number) > 0) (upperBody.includes(k) ? upper : lower).push(k);
  }
  let selected: number[];
  if (rng.randn() < 0.5 && upper.length > 2) selected = upper;
  else selected = lower.length > 2 ? lower : upper;
  if (selected.length < 2) return null;

  let sx = 0;
  let sy = 0;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const k of selected) {
    const x = f32(joints[2 * k] as number);
    const y = f32(joints[2 * k + 1] as number);
    sx += x;
    sy += y;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  let w = f32(maxX - minX);
  let h = f32(maxY - minY);
  if (w > aspectRatio * h) h = f32(w / aspectRatio);
  else if (w < aspectRatio * h) w = f32(h * aspectRatio);
  return {
    center: [f32(sx / selected.length), f32(sy / selected.length)],
    scale: [f32(f32(w / 200) * 1.5), f32(f32(h / 200) * 1.5)],
  };
}
