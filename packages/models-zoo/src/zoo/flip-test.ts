import { type FlipPairs, flipChannels } from '@hrnet/decode';
import * as tf from '@tensorflow/tfjs-core';

/** A network forward: NHWC images `[N, H, W, 3]` to NHWC heatmaps `[N, h, w, K]`. */
export type PredictHeatmaps = (images: tf.Tensor4D) => tf.Tensor4D;

/** Options of {@link predictWithFlipTest}. */
export interface FlipTestOptions {
  /** Apply the official `TEST.SHIFT_HEATMAP` one-pixel shift to the flipped-back heatmaps. Default true. */
  readonly shiftHeatmap?: boolean;
}

/**
 * The official flip test of `validate()` on NHWC tensors: `(f(x) + shift(flipBack(f(flip(x))))) / 2`, where
 * `flip` mirrors the images along the width, `flipBack` mirrors the heatmaps back and swaps each flip pair's
 * channels, and `shift` moves them one pixel right (`out[..., 1:] = out[..., :-1]`, column 0 kept).
 * Runs entirely on the tfjs backend; the caller owns (and disposes) the returned heatmaps.
 *
 * @param predict the network forward, e.g. `(x) => net.predict(x)`
 * @param flipPairs left/right keypoint pairs, e.g. `COCO_KEYPOINTS.flipPairs`
 */
export function predictWithFlipTest(
  predict: PredictHeatmaps,
  images: tf.Tensor4D,
  flipPairs: FlipPairs,
  options: FlipTestOptions = {},
): tf.Tensor4D {
  return tf.tidy(() => {
    const heatmaps = predict(images);
    const flipped = predict(tf.reverse(images, 2));
    const [, , width, keypoints] = heatmaps.shape;
    const channels = tf.tensor1d(flipChannels(flipPairs, keypoints), 'int32');
    let flippedBack: tf.Tensor4D = tf.gather(tf.reverse(flipped, 2), channels, 3);
    if ((options.shiftHeatmap ?? true) && width > 1) {
      const firstColumn = tf.slice(flippedBack, [0, 0, 0, 0], [-1, -1, 1, -1]);
      const shifted = tf.slice(flippedBack, [0, 0, 0, 0], [-1, -1, width - 1, -1]);
      flippedBack = tf.concat([firstColumn, shifted], 2);
    }
    return tf.mul(tf.add(heatmaps, flippedBack), 0.5);
  });
}
