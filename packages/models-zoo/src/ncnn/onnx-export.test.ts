import { FormatError, setBackend } from '@hrnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../../../../testing/cli';
import { runOnnxModel } from '../../../../testing/onnx';
import { NcnnModel } from './model';

/**
 * A small graph exercising what PP-TinyPose does not: asymmetric and SAME padding, leaky-ReLU, clip and
 * sigmoid activations, a depthwise convolution, a reversed scalar BinaryOp, bilinear Interp (half-pixel),
 * an uneven Slice and a Concat in swapped order.
 */
const PARAM = `7767517
8 9
Input                in   0 1 in 0=8 1=6 2=4
Convolution          c1   1 1 in a 0=6 1=3 4=1 14=0 15=1 16=2 5=1 6=216 9=2 -23310=1,0.1
ConvolutionDepthWise c2   1 1 a b 0=6 1=3 4=-233 5=1 6=54 7=6 9=3 -23310=2,-0.5,0.5
BinaryOp             s1   1 1 b c 0=7 1=1 2=1.5
Interp               i1   1 1 c d 0=2 1=2.0 2=2.0
Slice                sl   1 2 d e f -23300=2,2,-233 1=0
Concat               cc   2 1 f e g 0=0
Convolution          c3   1 1 g out 0=3 1=1 5=0 6=18 9=4
`;

/** The .bin: per convolution a float32 tag (0) and the weights, then the raw bias when 5=1. */
function weightsBin(): Uint8Array {
  let seed = 1;
  const random = (n: number) =>
    Array.from({ length: n }, () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647 - 0.5;
    });
  const parts = [[0, ...random(216)], random(6), [0, ...random(54)], random(6), [0, ...random(18)]];
  const values = new Float32Array(parts.flat());
  // The tags are the integer 0, whose bytes are those of the float 0.
  return new Uint8Array(values.buffer);
}

describe('NcnnModel.toOnnx', () => {
  beforeAll(() => setBackend('cpu'));

  it('runs on onnxruntime-node like NcnnModel.predict on tfjs, at batch 2', async () => {
    const model = NcnnModel.load(PARAM, weightsBin(), { source: 'small.param' });
    const x = tf.randomNormal([2, 6, 8, 4], 0, 1, 'float32', 3) as tf.Tensor4D;
    const expected = tf.tidy(() => tf.transpose(model.predict(x), [0, 3, 1, 2]));
    const nchw = tf.tidy(() => tf.transpose(x, [0, 3, 1, 2]).dataSync() as Float32Array);
    const onnx = await runOnnxModel(model.toOnnx(), nchw, [2, 4, 6, 8]);
    // c1: (6 + 0 + 2 - 3) + 1 = 6 rows, (8 + 1 + 1 - 3) + 1 = 8 columns; Interp doubles both.
    expect(onnx.dims).toEqual([2, 3, 12, 16]);
    expect(expected.shape).toEqual([2, 3, 12, 16]);
    const reference = expected.dataSync() as Float32Array;
    expect(new Set(Array.from(reference, (v) => v.toFixed(3))).size).toBeGreaterThan(100);
    expect(maxAbsDiff(onnx.data, reference)).toBeLessThan(1e-5);
    tf.dispose([x, expected]);
    model.dispose();
  });

  it('names the layer that has no ONNX equivalent', () => {
    const atan2 = PARAM.replace('0=7 1=1 2=1.5', '0=10 1=1 2=1.5');
    const model = NcnnModel.load(atan2, weightsBin(), { source: 'small.param' });
    expect(() => model.toOnnx()).toThrow(FormatError);
    expect(() => model.toOnnx()).toThrow(/BinaryOp.*s1.*op_type 0=10 has no ONNX equivalent/);
    model.dispose();
  });
});
