import type { Vec2 } from '@hrnet/decode';
import { DatasetError } from './errors';

/**
 * Layout of heatmap targets: `NCHW` is the official `[K, h, w]` per sample (`[N, K, h, w]` per
 * batch); `NHWC` is `[h, w, K]` (`[N, h, w, K]`), the layout of the NHWC network's output.
 */
export type TargetLayout = 'NCHW' | 'NHWC';

/** Options of {@link generateTarget}. */
export interface TargetOptions {
  /** Network input (width, height), e.g. [192, 256]. */
  readonly imageSize: Vec2;
  /** Heatmap (width, height), e.g. [48, 64]. */
  readonly heatmapSize: Vec2;
  /** Gaussian sigma in heatmap pixels: 2 (COCO 256x192, MPII) or 3 (384x288). */
  readonly sigma: number;
  /**
   * `msra` is the official `generate_target`; `udp` is MMPose's `_udp_generate_target`
   * (GaussianHeatmap) of the UDP paper: stride `(image - 1) / (heatmap - 1)` and the Gaussian
   * centred on the exact sub-pixel position. Default `msra`.
   */
  readonly encoding?: 'msra' | 'udp';
  /** Default `NCHW`. */
  readonly layout?: TargetLayout;
  /** Per-joint weights multiplied into the target weights (`LOSS.USE_DIFFERENT_JOINTS_WEIGHT`). */
  readonly jointsWeight?: readonly number[];
}

/** Heatmap targets of one sample. */
export interface Target {
  /** `K * h * w` values in the requested layout. */
  readonly target: Float32Array;
  /** `K` weights: the joint visibility, 0 where the Gaussian lies wholly outside the heatmap. */
  readonly targetWeight: Float32Array;
}

/**
 * The official `JointsDataset.generate_target` (or MMPose's UDP variant): an unnormalized Gaussian
 * (peak 1) of radius `tmp_size = 3 * sigma` per visible joint at `mu = int(joint / feat_stride + 0.5)`
 * (truncation toward zero, as Python's `int`); a joint whose Gaussian square misses the heatmap
 * (`ul[0] >= w or ul[1] >= h or br[0] < 0 or br[1] < 0`) gets weight 0.
 *
 * @param joints - flat `[x, y]` per joint in network-input pixels.
 * @param jointsVis - visibility per joint (`joints_vis[:, 0]`).
 */
export function generateTarget(
  joints: ArrayLike<number>,
  jointsVis: ArrayLike<number>,
  options: TargetOptions,
  out?: Target,
): Target {
  const { imageSize, heatmapSize, sigma, encoding = 'msra', layout = 'NCHW', jointsWeight } = options;
  const numJoints = jointsVis.length;
  if (joints.length < numJoints * 2) {
    throw new DatasetError(`generateTarget: ${joints.length} joint coordinates for ${numJoints} joints`);
  }
  if (jointsWeight && jointsWeight.length !== numJoints) {
    throw new DatasetError(`generateTarget: ${jointsWeight.length} joint weights for ${numJoints} joints`);
  }
  const [hw, hh] = heatmapSize;
  const target = out?.target ?? new Float32Array(numJoints * hw * hh);
  const targetWeight = out?.targetWeight ?? new Float32Array(numJoints);
  target.fill(0);
  const udp = encoding === 'udp';
  const strideX = udp ? (imageSize[0] - 1) / (hw - 1) : imageSize[0] / hw;
  const strideY = udp ? (imageSize[1] - 1) / (hh - 1) : imageSize[1] / hh;
  const tmpSize = sigma * 3;
  const size = 2 * tmpSize + 1;
  const half = Math.floor(size / 2);
  const twoSigma2 = Math.fround(2 * sigma * sigma);
  const [kStride, yStride, xStride] = layout === 'NCHW' ? [hw * hh, hw, 1] : [1, hw * numJoints, numJoints];

  for (let k = 0; k < numJoints; k++) {
    targetWeight[k] = jointsVis[k] as number;
    const jx = (joints[2 * k] as number) / strideX;
    const jy = (joints[2 * k + 1] as number) / strideY;
    const muX = Math.trunc(jx + 0.5);
    const muY = Math.trunc(jy + 0.5);
    const ulX = Math.trunc(muX - tmpSize);
    const ulY = Math.trunc(muY - tmpSize);
    const brX = Math.trunc(muX + tmpSize + 1);
    const brY = Math.trunc(muY + tmpSize + 1);
    if (ulX >= hw || ulY >= hh || brX < 0 || brY < 0) {
      targetWeight[k] = 0;
      continue;
    }
    if (!((targetWeight[k] as number) > 0.5)) continue;
    // Gaussian centre inside its (size x size) patch; UDP adds the sub-pixel offset.
    const x0 = udp ? half + jx - muX : half;
    const y0 = udp ? half + jy - muY : half;
    for (let y = Math.max(0, ulY); y < Math.min(brY, hh); y++) {
      const dy = udp ? y - ulY - y0 : Math.fround(y - ulY - y0);
      for (let x = Math.max(0, ulX); x < Math.min(brX, hw); x++) {
        const dx = udp ? x - ulX - x0 : Math.fround(x - ulX - x0);
        // msra: float32 arithmetic as numpy on the float32 grid; udp: float64 (offsets are float64).
        const g = udp
          ? Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma))
          : Math.exp(Math.fround(-Math.fround(dx * dx + dy * dy) / twoSigma2));
        target[k * kStride + y * yStride + x * xStride] = g;
      }
    }
  }
  if (jointsWeight)
    for (let k = 0; k < numJoints; k++)
      targetWeight[k] = (targetWeight[k] as number) * (jointsWeight[k] as number);
  return { target, targetWeight };
}
