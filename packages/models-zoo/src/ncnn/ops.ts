import { FormatError } from '@hrnet/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  type Blob,
  channelsLastBlob,
  ncnnShape,
  planarBlob,
  sameLayout,
  tfAxis,
  toChannelsLast,
  toPlanar,
} from './blob';
import { arrayParam, checkParams, layerLabel, type NcnnGraph, type NcnnLayer, scalarParam } from './param';
import type { NcnnLayerWeights } from './weights';

/** A layer compiled to tfjs: `run` maps its input blobs to its output blobs; `weights` are owned tensors. */
export interface CompiledLayer {
  readonly run: (inputs: readonly Blob[]) => Blob[];
  readonly weights: readonly tf.Tensor[];
}

type Compiler = (ctx: LayerContext) => CompiledLayer;

/** What a layer compiler needs: the layer, its graph (for error messages) and its `.bin` weights. */
export interface LayerContext {
  readonly graph: NcnnGraph;
  readonly layer: NcnnLayer;
  readonly weights: NcnnLayerWeights | undefined;
}

export function fail(ctx: LayerContext, problem: string): never {
  throw new FormatError(ctx.graph.source, `${layerLabel(ctx.layer)}: ${problem}`);
}

export function param(ctx: LayerContext, id: number, fallback: number): number {
  return scalarParam(ctx.graph, ctx.layer, id, fallback);
}

function expectArity(ctx: LayerContext, inputs: number, outputs: number): void {
  const { layer } = ctx;
  if (layer.inputs.length !== inputs || layer.outputs.length !== outputs)
    fail(
      ctx,
      `expected ${inputs} input(s) and ${outputs} output(s), got ${layer.inputs.length} and ${layer.outputs.length}`,
    );
}

function only<T>(items: readonly T[]): T {
  const [item] = items;
  if (item === undefined) throw new Error('missing input blob');
  return item;
}

/**
 * ncnn `activation_type` (9=) with `activation_params` (10=) as tfjs fused-conv options, plus clip, which
 * tfjs cannot fuse and applies after the convolution.
 */
interface Activation {
  readonly fused: Pick<Parameters<typeof tf.fused.conv2d>[0], 'activation' | 'leakyreluAlpha'>;
  readonly post: (x: tf.Tensor4D) => tf.Tensor4D;
}

const identity = (x: tf.Tensor4D) => x;

function activation(ctx: LayerContext): Activation {
  const type = param(ctx, 9, 0);
  const params = arrayParam(ctx.graph, ctx.layer, 10) ?? [];
  switch (type) {
    case 0:
      return { fused: { activation: 'linear' }, post: identity };
    case 1:
      return { fused: { activation: 'relu' }, post: identity };
    case 2:
      return { fused: { activation: 'leakyrelu', leakyreluAlpha: params[0] ?? 0 }, post: identity };
    case 3: {
      const [min = -Infinity, max = Infinity] = params;
      return { fused: { activation: 'linear' }, post: (x) => tf.clipByValue(x, min, max) };
    }
    case 4:
      return { fused: { activation: 'sigmoid' }, post: identity };
    default:
      return fail(
        ctx,
        `activation_type 9=${type} is not supported (only 0 none, 1 relu, 2 leakyrelu, 3 clip, 4 sigmoid)`,
      );
  }
}

/** Convolution and ConvolutionDepthWise: OIHW weights (per group) converted once to tfjs filters. */
const convolution: Compiler = (ctx) => {
  expectArity(ctx, 1, 1);
  const depthwiseType = ctx.layer.type === 'ConvolutionDepthWise';
  checkParams(ctx.graph, ctx.layer, [
    0,
    1,
    11,
    2,
    12,
    3,
    13,
    4,
    14,
    15,
    16,
    18,
    5,
    6,
    8,
    9,
    10,
    ...(depthwiseType ? [7] : []),
  ]);
  if (param(ctx, 8, 0) !== 0) fail(ctx, 'int8 quantized convolution (8=int8_scale_term) is not supported');
  const numOutput = param(ctx, 0, 0);
  const kw = param(ctx, 1, 0);
  const kh = param(ctx, 11, kw);
  const dilation: [number, number] = [param(ctx, 12, param(ctx, 2, 1)), param(ctx, 2, 1)];
  const strides: [number, number] = [param(ctx, 13, param(ctx, 3, 1)), param(ctx, 3, 1)];
  const left = param(ctx, 4, 0);
  const top = param(ctx, 14, left);
  const right = param(ctx, 15, left);
  const bottom = param(ctx, 16, top);
  const group = depthwiseType ? param(ctx, 7, 1) : 1;
  const weights = ctx.weights;
  if (weights === undefined) return fail(ctx, 'has no weights');

  // tfjs fused convolutions take 'same' or one symmetric pad; asymmetric padding becomes an explicit pad op.
  let pad: 'same' | 'valid' | number;
  let prePad: [number, number][] | undefined;
  if ([left, top, right, bottom].every((p) => p === -233)) pad = 'same';
  else if ([left, top, right, bottom].some((p) => p < 0))
    return fail(
      ctx,
      `padding ${left},${top},${right},${bottom} is not supported (only explicit >= 0, or -233 SAME_UPPER)`,
    );
  else if (left === top && left === right && left === bottom) pad = left;
  else {
    pad = 'valid';
    prePad = [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ];
  }
  if ([left, top, right, bottom].some((p) => p > 0) && param(ctx, 18, 0) !== 0)
    fail(ctx, 'a non-zero pad_value (18=) is not supported');

  const maxk = kw * kh;
  const inPerGroup = weights.weight.length / (maxk * numOutput);
  if (numOutput <= 0 || maxk <= 0 || numOutput % group !== 0 || !Number.isInteger(inPerGroup))
    return fail(
      ctx,
      `weight_data_size ${weights.weight.length} does not fit num_output ${numOutput}, kernel ${kh}x${kw}, group ${group}`,
    );
  const outPerGroup = numOutput / group;
  const inChannels = inPerGroup * group;
  const bias = weights.bias === undefined ? undefined : tf.tensor1d(weights.bias);
  const act = activation(ctx);
  const biasOption = bias === undefined ? {} : { bias };
  // ncnn stores group g's filters as [outPerGroup, inPerGroup, kh, kw] one group after another.
  const all = tf.tensor4d(weights.weight, [group * outPerGroup, inPerGroup, kh, kw]);
  const input = (blobs: readonly Blob[]): tf.Tensor4D => {
    const x = toChannelsLast(only(blobs), ctx.layer.type);
    if (x.shape[3] !== inChannels) fail(ctx, `expects ${inChannels} input channels, got ${x.shape[3]}`);
    return prePad === undefined ? x : tf.pad(x, prePad);
  };

  if (inPerGroup === 1 && group > 1) {
    // Depthwise (with channel multiplier outPerGroup): tfjs output channel c*m + j is ncnn's group c, filter j.
    const filter = tf.tidy(
      () => tf.transpose(tf.reshape(all, [group, outPerGroup, kh, kw]), [2, 3, 0, 1]) as tf.Tensor4D,
    );
    all.dispose();
    return {
      weights: bias === undefined ? [filter] : [filter, bias],
      run: (inputs) => {
        const x = input(inputs);
        const y = tf.fused.depthwiseConv2d({
          x,
          filter,
          strides,
          pad,
          dilations: dilation,
          ...biasOption,
          ...act.fused,
        });
        return [channelsLastBlob(act.post(y))];
      },
    };
  }

  // Grouped convolutions run per group; bias and activation are per channel, so they fuse per group too.
  const filters = tf.tidy(() => tf.split(all, group, 0).map((w) => tf.transpose(w, [2, 3, 1, 0])));
  const biases = bias === undefined ? undefined : group === 1 ? [bias] : tf.split(bias, group);
  all.dispose();
  if (bias !== undefined && group > 1) bias.dispose();
  return {
    weights: [...filters, ...(biases ?? [])],
    run: (inputs) => {
      const x = input(inputs);
      const parts: tf.Tensor4D[] = group === 1 ? [x] : tf.split(x, group, 3);
      const outs = parts.map((part, g) => {
        const b = biases?.[g];
        const filter = filters[g] as tf.Tensor4D;
        return tf.fused.conv2d({
          x: part,
          filter,
          strides,
          pad,
          dilations: dilation,
          ...(b && { bias: b }),
          ...act.fused,
        });
      });
      return [channelsLastBlob(act.post(outs.length === 1 ? only(outs) : tf.concat(outs, 3)))];
    },
  };
};

const relu: Compiler = (ctx) => {
  expectArity(ctx, 1, 1);
  checkParams(ctx.graph, ctx.layer, [0]);
  const slope = param(ctx, 0, 0);
  return {
    weights: [],
    run: (inputs) => {
      const x = only(inputs);
      return [{ ...x, t: slope === 0 ? tf.relu(x.t) : tf.leakyRelu(x.t, slope) }];
    },
  };
};

/** BinaryOp `op_type` (0=) → tfjs, in ncnn's numbering; `r*` ops swap the operands. */
const BINARY_OPS: readonly ((a: tf.Tensor, b: tf.Tensor) => tf.Tensor)[] = [
  tf.add,
  tf.sub,
  tf.mul,
  tf.div,
  tf.maximum,
  tf.minimum,
  tf.pow,
  (a, b) => tf.sub(b, a),
  (a, b) => tf.div(b, a),
  (a, b) => tf.pow(b, a),
  tf.atan2,
  (a, b) => tf.atan2(b, a),
];

const binaryOp: Compiler = (ctx) => {
  checkParams(ctx.graph, ctx.layer, [0, 1, 2]);
  const opType = param(ctx, 0, 0);
  const op = BINARY_OPS[opType];
  if (op === undefined) return fail(ctx, `op_type 0=${opType} is not supported`);
  if (param(ctx, 1, 0) !== 0) {
    expectArity(ctx, 1, 1);
    const scalar = param(ctx, 2, 0);
    return { weights: [], run: (inputs) => [{ ...only(inputs), t: op(only(inputs).t, tf.scalar(scalar)) }] };
  }
  expectArity(ctx, 2, 1);
  return {
    weights: [],
    run: ([a, b]) => {
      if (a === undefined || b === undefined) throw new Error('missing input blob');
      const sa = ncnnShape(a);
      const sb = ncnnShape(b);
      // ncnn's broadcasting between blobs of different ranks has special cases; only equal ranks are
      // supported, where ncnn and numpy agree on size-1 axes.
      if (sa.length !== sb.length || sa.some((n, i) => n !== sb[i] && n !== 1 && sb[i] !== 1))
        fail(
          ctx,
          `operand shapes [${sa}] and [${sb}] are not supported (equal ranks with numpy broadcasting only)`,
        );
      return [{ ...a, t: op(a.t, sameLayout(a, b)) }];
    },
  };
};

const split: Compiler = (ctx) => {
  checkParams(ctx.graph, ctx.layer, []);
  return { weights: [], run: (inputs) => ctx.layer.outputs.map(() => only(inputs)) };
};

/** Slice's `-23300=` list, one entry per output (checked when the layer is compiled). */
function sliceList(ctx: LayerContext): readonly number[] {
  const slices = arrayParam(ctx.graph, ctx.layer, 0) ?? [];
  const count = ctx.layer.outputs.length;
  if (slices.length !== count) fail(ctx, `has ${count} outputs but ${slices.length} slices (-23300=)`);
  return slices;
}

/** Slice's part sizes along an axis of extent `total` (-233 takes an even share of what is left). */
export function sliceSizes(ctx: LayerContext, total: number): number[] {
  const slices = sliceList(ctx);
  const count = slices.length;
  const sizes: number[] = [];
  let start = 0;
  for (const [i, s] of slices.entries()) {
    // -233 takes an even share of what the earlier slices left (ncnn slice.cpp).
    const size = s === -233 ? Math.floor((total - start) / (count - i)) : s;
    sizes.push(size);
    start += size;
  }
  if (start !== total || sizes.some((s) => s <= 0))
    fail(ctx, `slices [${sizes}] do not cover axis ${param(ctx, 1, 0)} of size ${total}`);
  return sizes;
}

const slice: Compiler = (ctx) => {
  checkParams(ctx.graph, ctx.layer, [0, 1]);
  if (ctx.layer.inputs.length !== 1) fail(ctx, 'expected 1 input');
  sliceList(ctx);
  const axis = param(ctx, 1, 0);
  return {
    weights: [],
    run: (inputs) => {
      const x = only(inputs);
      const tfa = tfAxis(x, axis);
      const sizes = sliceSizes(ctx, x.t.shape[tfa] ?? 0);
      const count = sizes.length;
      const [first] = sizes;
      if (tfa === x.t.rank - 1 && first !== undefined && sizes.every((n) => n === first)) {
        // Equal parts of the innermost axis: one transpose makes each part contiguous. tfjs-cpu slices
        // strided data element by element, so this is several times faster there (and no slower on wasm).
        const outer = x.t.shape.slice(0, -1);
        const grouped = tf.transpose(tf.reshape(x.t, [-1, count, first]), [1, 0, 2]);
        return tf.split(grouped, count, 0).map((t) => ({ ...x, t: tf.reshape(t, [...outer, first]) }));
      }
      return tf.split(x.t, sizes, tfa).map((t) => ({ ...x, t }));
    },
  };
};

const concat: Compiler = (ctx) => {
  checkParams(ctx.graph, ctx.layer, [0]);
  if (ctx.layer.outputs.length !== 1 || ctx.layer.inputs.length < 1)
    fail(ctx, 'expected inputs and 1 output');
  const axis = param(ctx, 0, 0);
  return {
    weights: [],
    run: (inputs) => {
      const first = only(inputs);
      if (inputs.some((b) => b.dims !== first.dims)) fail(ctx, 'inputs have different ranks');
      return [
        {
          ...first,
          t: tf.concat(
            inputs.map((b) => sameLayout(first, b)),
            tfAxis(first, axis),
          ),
        },
      ];
    },
  };
};

/** Reshape's target shape, outermost first (`[c, h, w]`, `[h, w]` or `[w]`), with ncnn's 0 and -1 entries. */
export function reshapeTarget(ctx: LayerContext): number[] {
  expectArity(ctx, 1, 1);
  // 11 (d), 6 (shape expression), 3 (permute) and the batch axes 12/13 are not implemented.
  checkParams(ctx.graph, ctx.layer, [0, 1, 2]);
  const [w, h, c] = [param(ctx, 0, -233), param(ctx, 1, -233), param(ctx, 2, -233)];
  // reshape.cpp: the first absent value among w, h, c fixes the rank.
  const shape = w === -233 ? [] : h === -233 ? [w] : c === -233 ? [h, w] : [c, h, w];
  if (shape.length === 0) fail(ctx, 'has no target shape (0=w is missing)');
  return shape;
}

/** Resolves 0 (keep the input's extent, aligned on the innermost axis; ncnn reads 1 past the input's rank) and -1 (infer). */
export function resolveReshape(
  ctx: LayerContext,
  target: readonly number[],
  inShape: readonly number[],
): number[] {
  const total = inShape.reduce((a, b) => a * b, 1);
  const out = target.map((n, i) => (n === 0 ? (inShape[inShape.length - target.length + i] ?? 1) : n));
  const known = out.filter((n) => n !== -1).reduce((a, b) => a * b, 1);
  const resolved = out.map((n) => (n === -1 ? total / known : n));
  if (resolved.reduce((a, b) => a * b, 1) !== total || resolved.some((n) => !Number.isInteger(n) || n <= 0))
    fail(ctx, `cannot reshape [${inShape}] to [${target}]`);
  return resolved;
}

const reshape: Compiler = (ctx) => {
  const target = reshapeTarget(ctx);
  return {
    weights: [],
    run: (inputs) => {
      const x = only(inputs);
      const inShape = ncnnShape(x);
      const [c, h, w] = resolveReshape(ctx, target, inShape);
      const n = x.t.shape[0] ?? 1;
      // Keeping the channel count only regroups h,w, which channels-last can do without a transpose.
      if (x.channelsLast && w !== undefined && h !== undefined && c === inShape[0])
        return [channelsLastBlob(tf.reshape(x.t, [n, h, w, c]))];
      return [planarBlob(tf.reshape(toPlanar(x), [n, ...[c, h, w].filter((d) => d !== undefined)]))];
    },
  };
};

/**
 * The channel shuffle of ShuffleNet-style blocks as ncnn spells it: Reshape `[C,H,W]` to `[g, C/g, H*W]`,
 * Permute 0=2 (swap the two outer axes), Reshape back to `[C,H,W]`. Channels-last, that is one 5-D transpose
 * instead of three full transposes. Shapes are only known at run time, so other shapes take the generic path.
 */
export function compileChannelShuffle(
  first: LayerContext,
  perm: LayerContext,
  last: LayerContext,
): CompiledLayer {
  const generic = [reshape(first), permute(perm), reshape(last)];
  const firstTarget = reshapeTarget(first);
  const lastTarget = reshapeTarget(last);
  return {
    weights: [],
    run: (inputs) => {
      const x = only(inputs);
      const [c = 0, h = 0, w = 0] = ncnnShape(x);
      if (x.channelsLast) {
        const [g = 0, cg = 0, hw] = resolveReshape(first, firstTarget, [c, h, w]);
        const back = resolveReshape(last, lastTarget, [cg, g, h * w]);
        if (hw === h * w && back.join() === [c, h, w].join()) {
          const n = x.t.shape[0] ?? 1;
          const t = tf.reshape(tf.transpose(tf.reshape(x.t, [n, h, w, g, cg]), [0, 1, 2, 4, 3]), [
            n,
            h,
            w,
            c,
          ]);
          return [channelsLastBlob(t)];
        }
      }
      return generic.reduce<Blob[]>((blobs, layer) => layer.run(blobs), [...inputs]);
    },
  };
}

/** Permute `order_type` (0=) for 3-D blobs: tfjs permutation of the planar `[c, h, w]` axes (permute.cpp). */
export const PERMUTE_3D: readonly (readonly number[])[] = [
  [0, 1, 2], // w h c
  [0, 2, 1], // h w c
  [1, 0, 2], // w c h
  [1, 2, 0], // c w h
  [2, 0, 1], // h c w
  [2, 1, 0], // c h w
];

const permute: Compiler = (ctx) => {
  expectArity(ctx, 1, 1);
  checkParams(ctx.graph, ctx.layer, [0]);
  const order = param(ctx, 0, 0);
  const perm3 = PERMUTE_3D[order];
  if (perm3 === undefined) fail(ctx, `order_type 0=${order} is not supported`);
  return {
    weights: [],
    run: (inputs) => {
      const x = only(inputs);
      if (x.dims === 3) return [planarBlob(tf.transpose(toPlanar(x), [0, ...perm3.map((a) => a + 1)]))];
      if (x.dims === 2 && order <= 1) return [planarBlob(order === 0 ? x.t : tf.transpose(x.t, [0, 2, 1]))];
      if (x.dims === 1 && order === 0) return [x];
      return fail(ctx, `order_type ${order} on a ${x.dims}-D blob is not supported`);
    },
  };
};

/** Source index of each output index for ncnn nearest resize: `min((int)(y * scale), in - 1)` in float32. */
export function nearestIndices(inSize: number, outSize: number, scale: number): number[] {
  const s = Math.fround(scale);
  return Array.from({ length: outSize }, (_, y) => Math.min(Math.trunc(Math.fround(y * s)), inSize - 1));
}

/** Whether `indices` repeats each of `0..inSize-1` k times in order, k a power of two. */
function isPowerOfTwoRepeat(indices: readonly number[], inSize: number): boolean {
  const k = indices.length / inSize;
  return Number.isInteger(k) && (k & (k - 1)) === 0 && indices.every((v, i) => v === Math.floor(i / k));
}

const interp: Compiler = (ctx) => {
  expectArity(ctx, 1, 1);
  checkParams(ctx.graph, ctx.layer, [0, 1, 2, 3, 4, 6]);
  const type = param(ctx, 0, 0);
  if (type !== 1 && type !== 2)
    fail(ctx, `resize_type 0=${type} is not supported (only 1 nearest, 2 bilinear)`);
  const heightScale = param(ctx, 1, 1);
  const widthScale = param(ctx, 2, 1);
  const outHeight = param(ctx, 3, 0);
  const outWidth = param(ctx, 4, 0);
  const alignCorners = param(ctx, 6, 0) !== 0;
  return {
    weights: [],
    run: (inputs) => {
      const x = toChannelsLast(only(inputs), 'Interp');
      const [, h = 0, w = 0] = x.shape;
      // interp.cpp: explicit sizes win; otherwise the size is the truncated product with the scale.
      const sized = outHeight !== 0 && outWidth !== 0;
      const oh = sized ? outHeight : Math.trunc(h * heightScale);
      const ow = sized ? outWidth : Math.trunc(w * widthScale);
      if (oh === h && ow === w) return [channelsLastBlob(x)];
      if (type === 2)
        return [channelsLastBlob(tf.image.resizeBilinear(x, [oh, ow], alignCorners, !alignCorners))];
      // Nearest maps y to (int)(y * hs) with hs = h / oh for explicit sizes, else 1 / height_scale.
      const ys = nearestIndices(h, oh, sized ? h / oh : 1 / heightScale);
      const xs = nearestIndices(w, ow, sized ? w / ow : 1 / widthScale);
      if (isPowerOfTwoRepeat(ys, h) && isPowerOfTwoRepeat(xs, w))
        // tfjs nearest picks floor(y * h / oh); with power-of-two factors that is exact in any float precision
        // and equals ncnn's indices, and the native resize kernel is much faster than gathers on wasm.
        return [channelsLastBlob(tf.image.resizeNearestNeighbor(x, [oh, ow]))];
      return [
        channelsLastBlob(tf.gather(tf.gather(x, tf.tensor1d(ys, 'int32'), 1), tf.tensor1d(xs, 'int32'), 2)),
      ];
    },
  };
};

const COMPILERS: Readonly<Record<string, Compiler>> = {
  Convolution: convolution,
  ConvolutionDepthWise: convolution,
  ReLU: relu,
  BinaryOp: binaryOp,
  Split: split,
  Slice: slice,
  Concat: concat,
  Reshape: reshape,
  Permute: permute,
  Interp: interp,
};

/** Compiles one non-Input layer; unknown layer types are a `FormatError` naming the line. */
export function compileLayer(ctx: LayerContext): CompiledLayer {
  const compiler = COMPILERS[ctx.layer.type];
  if (compiler === undefined)
    fail(
      ctx,
      `layer type '${ctx.layer.type}' is not supported (supported: Input, ${Object.keys(COMPILERS).join(', ')})`,
    );
  return compiler(ctx);
}
