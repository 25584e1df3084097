import type * as tf from '@tensorflow/tfjs-core';
import { hwioToOihw } from '../state';
import type { OnnxGraphBuilder } from './graph-builder';

/** Something that can append its inference graph to an ONNX graph (every built-in unit). */
export interface OnnxExportable {
  toOnnx?(graph: OnnxGraphBuilder, input: string): string;
}

/** Appends `unit`'s inference graph; throws a clear error for a unit without ONNX export. */
export function unitToOnnx(unit: OnnxExportable, graph: OnnxGraphBuilder, input: string): string {
  if (unit.toOnnx === undefined) {
    throw new Error(`ONNX export: ${unit.constructor.name} has no toOnnx()`);
  }
  return unit.toOnnx(graph, input);
}

/** A tfjs HWIO kernel as ONNX OIHW weights (copied to the CPU). */
export function onnxConvWeight(kernel: tf.Tensor4D): {
  weight: Float32Array;
  weightDims: [number, number, number, number];
} {
  const [kh, kw, cin, cout] = kernel.shape;
  const weightDims: [number, number, number, number] = [cout, cin, kh, kw];
  return { weight: hwioToOihw(kernel.dataSync() as Float32Array, weightDims), weightDims };
}
