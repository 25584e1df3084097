import { createHeatmaps, type FlipPairs, type MergeFlippedOptions, mergeFlipped } from '@hrnet/decode';
import type { NchwHeatmaps, NchwShape } from '../estimator/network';

/** Images `[N, C, H, W]` mirrored along the width, then appended to the originals: `[2N, C, H, W]`. */
function withMirrored(images: Float32Array, [n, c, h, w]: NchwShape): Float32Array {
  const size = n * c * h * w;
  const out = new Float32Array(2 * size);
  out.set(images);
  for (let row = 0; row < n * c * h; row++) {
    const offset = row * w;
    for (let x = 0; x < w; x++) out[size + offset + x] = images[offset + w - 1 - x]!;
  }
  return out;
}

/**
 * The official flip test (see `predictWithFlipTest`) on flat NCHW arrays, for networks outside tfjs: runs the
 * images and their mirror images as one batch of 2N, then merges each heatmap with the mirrored-back,
 * channel-swapped and (with `shiftHeatmap`, default true) one-pixel-shifted heatmap of its mirror image
 * (`mergeFlipped` of `@hrnet/decode`).
 */
export async function flipTestNchw(
  run: (images: Float32Array, shape: NchwShape) => Promise<NchwHeatmaps>,
  images: Float32Array,
  shape: NchwShape,
  flipPairs: FlipPairs,
  options: MergeFlippedOptions = {},
): Promise<NchwHeatmaps> {
  const [n, c, h, w] = shape;
  const both = await run(withMirrored(images, shape), [2 * n, c, h, w]);
  const [, k, hh, hw] = both.shape;
  const half = n * k * hh * hw;
  const heatmaps = createHeatmaps(both.data.subarray(0, half), [n, k, hh, hw]);
  const mirrored = createHeatmaps(both.data.subarray(half), [n, k, hh, hw]);
  const merged = mergeFlipped(heatmaps, mirrored, flipPairs, options);
  return { data: merged.data, shape: [n, k, hh, hw] };
}
