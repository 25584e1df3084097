import * as tf from '@tensorflow/tfjs-core';
import { type NdArray, ndarray, toFloat32 } from './io/ndarray';

/** PyTorch NCHW to tfjs NHWC; files and fixtures are NCHW, everything inside tfjs is NHWC. */
export function nchwToNhwc(x: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(x, [0, 2, 3, 1]);
}

/** tfjs NHWC to PyTorch NCHW, for writing results in the layout PyTorch tools read. */
export function nhwcToNchw(x: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(x, [0, 3, 1, 2]);
}

/** A float32 tfjs tensor holding an {@link NdArray}'s values (any numeric dtype, converted to float32). */
export function tensorFromNdArray(nd: NdArray): tf.Tensor {
  return tf.tensor(toFloat32(nd), nd.shape, 'float32');
}

/** Reads a float32 tensor back from the backend as an {@link NdArray}. */
export async function ndArrayFromTensor(x: tf.Tensor): Promise<NdArray> {
  const data = (await x.data()) as Float32Array;
  return ndarray('float32', x.shape, Float32Array.from(data));
}
