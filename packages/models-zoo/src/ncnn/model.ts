import { FormatError } from '@hrnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { type Blob, channelsLastBlob, toChannelsLast } from './blob';
import { exportNcnnOnnx } from './onnx-export';
import { type CompiledLayer, compileChannelShuffle, compileLayer } from './ops';
import {
  checkParams,
  layerLabel,
  type NcnnGraph,
  type NcnnLayer,
  parseNcnnParam,
  scalarParam,
} from './param';
import { type NcnnLayerWeights, readNcnnWeights } from './weights';

/** Options of {@link NcnnModel.load}. */
export interface NcnnLoadOptions {
  /** File path or label for error messages (default `'<ncnn>'`); the `.bin` is reported as `<source>.bin`. */
  readonly source?: string;
  /**
   * Input `[height, width, channels]`, required when the Input layer does not declare it (ncnn graphs often
   * leave it out, but Reshape/Interp constants fix the size the graph accepts).
   */
  readonly inputShape?: readonly [number, number, number];
}

interface Step {
  readonly layer: CompiledLayer;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Blobs whose last reader is this step; they are freed right after it runs. */
  readonly release: readonly string[];
}

/**
 * The Permute and second Reshape when `layers[i]` starts a Reshape → Permute 0=2 → Reshape chain whose
 * intermediate blobs nothing else reads (the channel-shuffle spelling; see `compileChannelShuffle`).
 */
function channelShuffleAt(
  layers: readonly NcnnLayer[],
  i: number,
  readers: ReadonlyMap<string, number>,
): [NcnnLayer, NcnnLayer] | undefined {
  const [a, b, c] = layers.slice(i, i + 3);
  if (a?.type !== 'Reshape' || b?.type !== 'Permute' || c?.type !== 'Reshape' || b.params.get(0) !== 2)
    return undefined;
  const [ab] = a.outputs;
  const [bc] = b.outputs;
  const chained =
    b.inputs.join() === ab && c.inputs.join() === bc && a.outputs.length === 1 && b.outputs.length === 1;
  return chained && readers.get(ab ?? '') === 1 && readers.get(bc ?? '') === 1 ? [b, c] : undefined;
}

/**
 * An ncnn model (`.param` + `.bin`) executed as tfjs ops on the current backend. ncnn's batch-free CHW
 * blobs gain a leading batch axis, so `predict` runs a whole batch of crops at once.
 * Weights are converted to tfjs layout once, at load, and stay on the backend until {@link dispose}.
 */
export class NcnnModel {
  /** Input `[height, width, channels]` the graph accepts. */
  readonly inputShape: readonly [number, number, number];
  /** Name of the input blob and of the output blob (the one blob no layer reads). */
  readonly inputName: string;
  readonly outputName: string;
  private readonly steps: readonly Step[];
  /** The parsed graph and its float32 weights, kept for {@link toOnnx}. */
  private readonly graph: NcnnGraph;
  private readonly weights: ReadonlyMap<string, NcnnLayerWeights>;
  private disposed = false;

  private constructor(graph: NcnnGraph, bin: Uint8Array, options: NcnnLoadOptions) {
    const inputs = graph.layers.filter((l) => l.type === 'Input');
    const [input] = inputs;
    if (input === undefined || inputs.length !== 1 || input.outputs.length !== 1 || input.inputs.length !== 0)
      throw new FormatError(
        graph.source,
        `expected exactly one Input layer with one output blob, found ${inputs.length}`,
      );
    checkParams(graph, input, [0, 1, 2]);
    const declared = [1, 0, 2].map((id) => scalarParam(graph, input, id, 0));
    const [h = 0, w = 0, c = 0] = options.inputShape ?? declared;
    if (h <= 0 || w <= 0 || c <= 0)
      throw new FormatError(
        graph.source,
        `${layerLabel(input)} does not declare its shape (0=w 1=h 2=c); pass inputShape [height, width, channels]`,
      );
    this.inputShape = [h, w, c];
    this.inputName = input.outputs[0] ?? '';

    const read = new Set(graph.layers.flatMap((l) => l.inputs));
    const unread = graph.layers.flatMap((l) => l.outputs).filter((b) => !read.has(b));
    const [output] = unread;
    if (output === undefined || unread.length !== 1)
      throw new FormatError(
        graph.source,
        `expected one output blob (read by no layer), found [${unread.join(', ')}]`,
      );
    this.outputName = output;

    const weights = readNcnnWeights(graph, bin, `${graph.source.replace(/\.param$/, '')}.bin`);
    this.graph = graph;
    this.weights = weights;
    const lastReader = new Map<string, number>();
    const layers = graph.layers.filter((l) => l !== input);
    layers.forEach((l, i) => {
      for (const blob of l.inputs) lastReader.set(blob, i);
    });
    const readers = new Map<string, number>();
    for (const blob of layers.flatMap((l) => l.inputs)) readers.set(blob, (readers.get(blob) ?? 0) + 1);
    const steps: Step[] = [];
    try {
      for (let i = 0; i < layers.length; i++) {
        const layer = layers[i] as NcnnLayer;
        const context = (l: NcnnLayer) => ({ graph, layer: l, weights: weights.get(l.name) });
        const shuffle = channelShuffleAt(layers, i, readers);
        const compiled = shuffle
          ? compileChannelShuffle(context(layer), context(shuffle[0]), context(shuffle[1]))
          : compileLayer(context(layer));
        steps.push({
          layer: compiled,
          inputs: layer.inputs,
          outputs: shuffle ? shuffle[1].outputs : layer.outputs,
          release: [...new Set(layer.inputs)].filter((b) => lastReader.get(b) === i),
        });
        if (shuffle) i += 2;
      }
    } catch (error) {
      for (const step of steps) tf.dispose([...step.layer.weights]);
      throw error;
    }
    this.steps = steps;
  }

  /**
   * Parses `paramText` and `binBytes` and uploads the weights to the current tfjs backend.
   * Throws a `FormatError` for malformed files or unsupported layers/parameters.
   */
  static load(paramText: string, binBytes: Uint8Array, options: NcnnLoadOptions = {}): NcnnModel {
    const graph = parseNcnnParam(paramText, options.source ?? '<ncnn>');
    return new NcnnModel(graph, binBytes, options);
  }

  /**
   * Runs the graph on a batch of normalized images `[N, height, width, channels]` (NHWC; the ncnn model's
   * own preprocessing, e.g. mean/std normalization, must already be applied) and returns the output blob
   * channels-last: for PP-TinyPose `[N, height/4, width/4, 17]` heatmaps. The caller owns the result.
   */
  predict(images: tf.Tensor4D): tf.Tensor4D {
    if (this.disposed) throw new Error('NcnnModel.predict: the model has been disposed');
    const [, h, w, c] = images.shape;
    const [eh, ew, ec] = this.inputShape;
    if (h !== eh || w !== ew || c !== ec)
      throw new Error(`NcnnModel.predict: expected input [N, ${eh}, ${ew}, ${ec}], got [${images.shape}]`);
    const live = new Map<string, Blob>([[this.inputName, channelsLastBlob(tf.clone(images))]]);
    try {
      for (const step of this.steps) {
        const inputs = step.inputs.map((name) => live.get(name) as Blob);
        // Each step's temporaries die with its own scope, and blobs are freed after their last reader,
        // so peak memory stays near the widest part of the graph rather than the sum of all blobs.
        const outputs = tf.tidy(() =>
          // A step may hand back an input unchanged (Split, no-op resize); clone so every blob owns its tensor.
          step.layer
            .run(inputs)
            .map((b) => (inputs.some((i) => i.t === b.t) ? { ...b, t: tf.clone(b.t) } : b)),
        );
        for (const name of step.release) live.get(name)?.t.dispose();
        for (const name of step.release) live.delete(name);
        step.outputs.forEach((name, i) => {
          const blob = outputs[i];
          if (blob !== undefined) live.set(name, blob);
        });
      }
      const result = live.get(this.outputName);
      if (result === undefined)
        throw new Error(`NcnnModel.predict: output blob '${this.outputName}' was not produced`);
      live.delete(this.outputName);
      const output = tf.tidy(() => toChannelsLast(result, 'the model output'));
      if (output !== result.t) result.t.dispose();
      return output;
    } finally {
      for (const blob of live.values()) blob.t.dispose();
    }
  }

  /**
   * The graph as an ONNX model (see {@link exportNcnnOnnx}): input `input` `[N, C, H, W]`, output `heatmaps`
   * `[N, K, h, w]`, for ONNX Runtime (`--runtime onnx`).
   */
  toOnnx(): Uint8Array {
    const { graph, weights, inputShape, inputName, outputName } = this;
    return exportNcnnOnnx({ graph, weights, inputShape, inputName, outputName });
  }

  /** Frees the weight tensors; the model cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const step of this.steps) tf.dispose([...step.layer.weights]);
  }
}
