import type { PoseHighResolutionNet } from '@hrnet/layers';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Seeded random weights of realistic magnitude for parity tests (the training initialisation, N(0, 0.001²)
 * kernels, gives near-zero heatmaps that any tolerance accepts): kernels N(0, 1/fan_in), BatchNorm scales in
 * [0.2, 0.5] so that residual and exchange sums do not grow stage by stage, running variances in [0.5, 1.5],
 * biases and means N(0, 0.1²).
 */
export function randomizeWeights(net: PoseHighResolutionNet, seed: number): void {
  let i = 0;
  for (const entry of net.state.entries.values()) {
    if (entry.torchDType !== 'float32') continue;
    const { variable, key } = entry;
    const s = seed + i++;
    const value = tf.tidy(() => {
      if (entry.layout === 'conv') {
        const [kh, kw, cin] = variable.shape as [number, number, number, number];
        return tf.randomNormal(variable.shape, 0, Math.sqrt(1 / (kh * kw * cin)), 'float32', s);
      }
      if (key.endsWith('running_var')) return tf.randomUniform(variable.shape, 0.5, 1.5, 'float32', s);
      if (key.endsWith('.weight')) return tf.randomUniform(variable.shape, 0.2, 0.5, 'float32', s);
      return tf.randomNormal(variable.shape, 0, 0.1, 'float32', s);
    });
    variable.assign(value);
    value.dispose();
  }
}
