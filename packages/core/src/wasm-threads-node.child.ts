/**
 * Child process of wasm-threads-node.test.ts: starts the wasm backend with the thread count given as the first
 * argument, runs {@link seededConv} and prints the thread count and the result's bytes (base64) as JSON.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setBackend } from './backend';

/** A 3x3 64->64 convolution at 32x24 on seeded inputs: large enough for XNNPACK to split across threads. */
export function seededConv(): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.randomNormal([1, 32, 24, 64], 0, 1, 'float32', 1) as tf.Tensor4D;
    const k = tf.randomNormal([3, 3, 64, 64], 0, 0.05, 'float32', 2) as tf.Tensor4D;
    return tf.relu(tf.conv2d(x, k, 1, 1));
  });
}

if (process.argv[1]?.endsWith('wasm-threads-node.child.ts')) {
  await setBackend('wasm', { threads: Number(process.argv[2]) });
  const wasm = (await import('@tensorflow/tfjs-backend-wasm')) as { getThreadsCount(): number };
  const data = (await seededConv().data()) as Float32Array;
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  process.stdout.write(JSON.stringify({ threads: wasm.getThreadsCount(), bytes }));
}
