import type { AffineMatrix, BoxXywh, Heatmaps, KeypointSet, Pose, Vec2 } from '@hrnet/decode';
import { getAffineTransform } from '@hrnet/decode';

/** Keypoints scoring below this are drawn hollow and their edges dashed. */
const LOW_SCORE = 0.3;

/** What {@link drawScene} draws over the frame. */
export interface Scene {
  readonly frame: ImageData;
  readonly poses: readonly Pose[];
  readonly keypoints: KeypointSet;
  /** The person box the user dragged, if any. */
  readonly box?: BoxXywh;
  /** Heatmaps and the crop of each person, when the overlay is on. */
  readonly heatmaps?: {
    readonly data: Heatmaps;
    readonly instances: readonly { readonly center: Vec2; readonly scale: Vec2 }[];
  };
}

const rgb = ([r, g, b]: readonly [number, number, number], alpha = 1) => `rgba(${r}, ${g}, ${b}, ${alpha})`;

/**
 * Draws the frame, the heatmap overlay, the person box, and each pose's skeleton in the keypoint set's
 * colours with a dot per keypoint (its size and label showing the score). Returns the number of keypoints
 * drawn.
 */
export function drawScene(canvas: HTMLCanvasElement, scene: Scene): number {
  const { frame } = scene;
  if (canvas.width !== frame.width || canvas.height !== frame.height) {
    canvas.width = frame.width;
    canvas.height = frame.height;
  }
  const ctx = canvas.getContext('2d');
  if (ctx === null) throw new Error('no 2d canvas context');
  ctx.putImageData(frame, 0, 0);
  if (scene.heatmaps) drawHeatmaps(ctx, scene.heatmaps.data, scene.heatmaps.instances);
  const unit = Math.max(frame.width, frame.height) / 320;
  if (scene.box) {
    ctx.setLineDash([4 * unit, 3 * unit]);
    ctx.strokeStyle = 'rgba(255, 255, 255, 0.9)';
    ctx.lineWidth = unit;
    ctx.strokeRect(...scene.box);
    ctx.setLineDash([]);
  }
  let drawn = 0;
  for (const pose of scene.poses) drawn += drawPose(ctx, pose, scene.keypoints, unit);
  return drawn;
}

function drawPose(ctx: CanvasRenderingContext2D, pose: Pose, set: KeypointSet, unit: number): number {
  const points = pose.keypoints;
  ctx.lineCap = 'round';
  for (const { from, to, color } of set.skeleton) {
    const a = points[from]!;
    const b = points[to]!;
    ctx.setLineDash(Math.min(a.score, b.score) < LOW_SCORE ? [2 * unit, 2 * unit] : []);
    ctx.strokeStyle = rgb(color, 0.9);
    ctx.lineWidth = 1.5 * unit;
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.font = `${Math.round(5 * unit)}px system-ui, sans-serif`;
  ctx.textBaseline = 'middle';
  for (const k of points) {
    const radius = (1 + 2 * Math.min(1, Math.max(0, k.score))) * unit;
    ctx.beginPath();
    ctx.arc(k.x, k.y, radius, 0, 2 * Math.PI);
    ctx.lineWidth = 0.6 * unit;
    ctx.strokeStyle = 'black';
    ctx.fillStyle = k.score < LOW_SCORE ? 'rgba(255, 255, 255, 0.3)' : 'white';
    ctx.fill();
    ctx.stroke();
    const label = k.score.toFixed(2);
    ctx.lineWidth = 1.5 * unit;
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.7)';
    ctx.strokeText(label, k.x + radius + unit, k.y);
    ctx.fillStyle = 'white';
    ctx.fillText(label, k.x + radius + unit, k.y);
  }
  return points.length;
}

/** The maximum over keypoints of each instance's heatmaps, warped back onto the image in a warm colour map. */
function drawHeatmaps(
  ctx: CanvasRenderingContext2D,
  heatmaps: Heatmaps,
  instances: readonly { readonly center: Vec2; readonly scale: Vec2 }[],
): void {
  const [n, k, h, w] = heatmaps.shape;
  const tile = new OffscreenCanvas(w, h);
  const tileCtx = tile.getContext('2d');
  if (tileCtx === null) throw new Error('no 2d canvas context for the heatmaps');
  for (let i = 0; i < n; i++) {
    const image = tileCtx.createImageData(w, h);
    for (let p = 0; p < w * h; p++) {
      let max = 0;
      for (let c = 0; c < k; c++) max = Math.max(max, heatmaps.data[(i * k + c) * h * w + p]!);
      const v = Math.min(1, max);
      image.data[4 * p] = 255;
      image.data[4 * p + 1] = Math.round(255 * v * v);
      image.data[4 * p + 2] = 0;
      image.data[4 * p + 3] = Math.round(200 * v);
    }
    tileCtx.putImageData(image, 0, 0);
    // Heatmap pixel (x, y) is centred on heatmap coordinate (x, y): shift by half a pixel before mapping.
    const { center, scale } = instances[i]!;
    const [a, b, c, d, e, f]: AffineMatrix = getAffineTransform(center, scale, 0, [w, h], [0, 0], true);
    ctx.save();
    ctx.setTransform(a, d, b, e, c, f);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(tile, -0.5, -0.5);
    ctx.restore();
  }
}
