import * as tf from '@tensorflow/tfjs-core';
import type { StateStore } from './state';
import { Conv2d, type ForwardMode, NearestUpsample } from './units';

/**
 * Multi-scale heatmap head (an option the HRNet paper leaves open; off by default): heatmaps are predicted from
 * every stream of the last stage by a 1x1 conv, brought to the highest resolution by nearest upsampling and
 * summed. Stream 0 keeps the official `final_layer`; streams 1..B-1 get `multi_scale_head.<i>.weight/bias` (no
 * official key has `multi_scale_head`). The last module then outputs every stream (`multi_scale_output=True`
 * in the official terms), which adds that module's fuse layers towards the lower resolutions.
 */
export class MultiScaleHead {
  private readonly heads: { conv: Conv2d; upsample: NearestUpsample }[] = [];

  constructor(store: StateStore, channels: readonly number[], numJoints: number) {
    for (let i = 1; i < channels.length; i++) {
      this.heads.push({
        conv: new Conv2d(store, `multi_scale_head.${i}`, channels[i]!, numJoints, { kernel: 1, bias: true }),
        upsample: new NearestUpsample(2 ** i),
      });
    }
  }

  /** Adds the lower-resolution streams' heatmaps to `highResolution` (the `final_layer` output). */
  forward(highResolution: tf.Tensor4D, streams: tf.Tensor4D[], mode: ForwardMode): tf.Tensor4D {
    return this.heads.reduce(
      (sum, { conv, upsample }, i) => tf.add(sum, upsample.forward(conv.forward(streams[i + 1]!), mode)),
      highResolution,
    );
  }
}
