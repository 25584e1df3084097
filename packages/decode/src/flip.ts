import { DecodeError } from './errors';
import { checkHeatmaps, type Heatmaps, mapMaxima } from './heatmaps';

/** Pairs of keypoint indices that swap under a horizontal flip (left/right). */
export type FlipPairs = ReadonlyArray<readonly [number, number]>;

/**
 * For each output channel, the input channel it takes after the flip (each flip pair swapped).
 *
 * @throws DecodeError for a flip pair out of range.
 */
export function flipChannels(flipPairs: FlipPairs, k: number): Int32Array {
  const channel = new Int32Array(k);
  for (let i = 0; i < k; i++) channel[i] = i;
  for (const pair of flipPairs) {
    if (pair.length !== 2 || !pair.every((i) => Number.isInteger(i) && i >= 0 && i < k)) {
      throw new DecodeError(`flip pair [${pair.join(', ')}] is out of range for ${k} keypoints`);
    }
    channel[pair[0]] = pair[1];
    channel[pair[1]] = pair[0];
  }
  return channel;
}

/**
 * The official `flip_back(output_flipped, matched_parts)`: mirrors the heatmaps of a horizontally
 * flipped input along W and swaps the channels of each flip pair, so they line up with the
 * unflipped output. Returns new heatmaps.
 *
 * @throws DecodeError for an invalid shape or a flip pair out of range.
 */
export function flipBack(heatmaps: Heatmaps, flipPairs: FlipPairs): Heatmaps {
  checkHeatmaps(heatmaps);
  const [n, k, h, w] = heatmaps.shape;
  const channel = flipChannels(flipPairs, k);
  const src = heatmaps.data;
  const out = new Float32Array(src.length);
  const size = h * w;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const from = (i * k + channel[j]!) * size;
      const to = (i * k + j) * size;
      for (let y = 0; y < h; y++) {
        const row = y * w;
        for (let x = 0; x < w; x++) out[to + row + x] = src[from + row + w - 1 - x]!;
      }
    }
  }
  return { data: out, shape: heatmaps.shape };
}

/**
 * The official `TEST.SHIFT_HEATMAP` step `out[..., 1:] = out[..., :-1]`: moves flipped-back
 * heatmaps one pixel right (column 0 is kept), compensating the flip's one-pixel misalignment.
 * Returns new heatmaps.
 */
export function shiftHeatmaps(heatmaps: Heatmaps): Heatmaps {
  checkHeatmaps(heatmaps);
  const [n, k, h, w] = heatmaps.shape;
  const src = heatmaps.data;
  const out = new Float32Array(src.length);
  for (let row = 0; row < n * k * h; row++) {
    const base = row * w;
    out[base] = src[base]!;
    out.set(src.subarray(base, base + w - 1), base + 1);
  }
  return { data: out, shape: heatmaps.shape };
}

/** Options of {@link mergeFlipped}. */
export interface MergeFlippedOptions {
  /** Apply the official SHIFT_HEATMAP shift to the flipped-back heatmaps. Default true. */
  readonly shiftHeatmap?: boolean;
}

/**
 * The official flip test: `(heatmaps + shift(flip_back(flipped))) * 0.5`, where `flipped` is the
 * model output for the horizontally flipped input. Returns new heatmaps.
 *
 * @throws DecodeError when the two batches differ in shape, or for NaN/Infinity in either.
 */
export function mergeFlipped(
  heatmaps: Heatmaps,
  flipped: Heatmaps,
  flipPairs: FlipPairs,
  options: MergeFlippedOptions = {},
): Heatmaps {
  checkHeatmaps(heatmaps);
  checkHeatmaps(flipped, 'flipped heatmaps');
  if (!heatmaps.shape.every((d, i) => d === flipped.shape[i])) {
    throw new DecodeError(
      `flipped heatmaps have shape [${flipped.shape.join(', ')}] but heatmaps have [${heatmaps.shape.join(', ')}]`,
    );
  }
  const [n, k, h, w] = heatmaps.shape;
  const channel = flipChannels(flipPairs, k);
  const shift = (options.shiftHeatmap ?? true) ? 1 : 0;
  const a = heatmaps.data;
  const b = flipped.data;
  const out = new Float32Array(a.length);
  const size = h * w;
  // v - v is NaN exactly for NaN and ±Infinity; the average is finite iff both inputs are.
  let finite = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const from = (i * k + channel[j]!) * size;
      const to = (i * k + j) * size;
      for (let y = 0; y < h; y++) {
        const row = y * w;
        // Flipped-back column x is flipped column w - 1 - x; the shift reads column x - 1 (x >= 1).
        const src = from + row + w - 1 + shift;
        const dst = to + row;
        if (shift) {
          const v = (a[dst]! + b[src - 1]!) * 0.5;
          finite += v - v;
          out[dst] = v;
        }
        for (let x = shift; x < w; x++) {
          const v = (a[dst + x]! + b[src - x]!) * 0.5;
          finite += v - v;
          out[dst + x] = v;
        }
      }
    }
  }
  if (finite !== 0) {
    // Locate the offending value for the message.
    mapMaxima(heatmaps);
    mapMaxima(flipped, 'flipped heatmaps');
  }
  return { data: out, shape: heatmaps.shape };
}
