import { ONNX_INPUT, ONNX_OUTPUT, OnnxGraphBuilder } from '@hrnet/layers';
import {
  fail,
  type LayerContext,
  nearestIndices,
  PERMUTE_3D,
  param,
  reshapeTarget,
  resolveReshape,
  sliceSizes,
} from './ops';
import { arrayParam, type NcnnGraph } from './param';
import type { NcnnLayerWeights } from './weights';

/** An ONNX tensor standing for an ncnn blob: its name and its ncnn shape (`[c, h, w]`, `[h, w]` or `[w]`). */
interface Value {
  readonly name: string;
  readonly shape: readonly number[];
}

/** What {@link exportNcnnOnnx} needs of a loaded `NcnnModel`. */
export interface NcnnExportSource {
  readonly graph: NcnnGraph;
  readonly weights: ReadonlyMap<string, NcnnLayerWeights>;
  /** `[height, width, channels]`. */
  readonly inputShape: readonly [number, number, number];
  readonly inputName: string;
  readonly outputName: string;
}

/** BinaryOp `op_type` → ONNX op, and whether ncnn's `r*` variant swaps the operands. */
const BINARY_OPS: readonly (readonly [string, boolean])[] = [
  ['Add', false],
  ['Sub', false],
  ['Mul', false],
  ['Div', false],
  ['Max', false],
  ['Min', false],
  ['Pow', false],
  ['Sub', true],
  ['Div', true],
  ['Pow', true],
];

/** The axis of ONNX's `[N, ...ncnn shape]` for ncnn axis `axis` (negative counts from the innermost). */
function onnxAxis(ctx: LayerContext, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) fail(ctx, `axis ${axis} is out of range for a ${rank}-D blob`);
  return a + 1;
}

/**
 * Explicit `[top, left, bottom, right]` padding of a convolution; -233 on all sides is SAME_UPPER (the extra
 * row/column at the end, as tfjs's `'same'` that the tfjs path uses).
 */
function convPads(
  ctx: LayerContext,
  [h, w]: readonly number[],
  kernel: readonly [number, number],
  stride: readonly [number, number],
  dilation: readonly [number, number],
): [number, number, number, number] {
  const left = param(ctx, 4, 0);
  const top = param(ctx, 14, left);
  const right = param(ctx, 15, left);
  const bottom = param(ctx, 16, top);
  if ([left, top, right, bottom].some((p) => p !== -233)) return [top, left, bottom, right];
  const same = (size: number, i: 0 | 1) => {
    const out = Math.ceil(size / stride[i]);
    const total = Math.max((out - 1) * stride[i] + (kernel[i] - 1) * dilation[i] + 1 - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)] as const;
  };
  const [t, b] = same(h ?? 0, 0);
  const [l, r] = same(w ?? 0, 1);
  return [t, l, b, r];
}

/** Exports one layer: adds its nodes to `g` and returns its output values. */
function exportLayer(g: OnnxGraphBuilder, ctx: LayerContext, inputs: readonly Value[]): Value[] {
  const [x] = inputs;
  if (x === undefined) return fail(ctx, 'has no input');
  switch (ctx.layer.type) {
    case 'Convolution':
    case 'ConvolutionDepthWise': {
      const weights = ctx.weights;
      if (weights === undefined) return fail(ctx, 'has no weights');
      const numOutput = param(ctx, 0, 0);
      const kw = param(ctx, 1, 0);
      const kh = param(ctx, 11, kw);
      const dilation = [param(ctx, 12, param(ctx, 2, 1)), param(ctx, 2, 1)] as const;
      const stride = [param(ctx, 13, param(ctx, 3, 1)), param(ctx, 3, 1)] as const;
      const group = ctx.layer.type === 'ConvolutionDepthWise' ? param(ctx, 7, 1) : 1;
      const inPerGroup = weights.weight.length / (numOutput * kh * kw);
      const [, h = 0, w = 0] = x.shape;
      const pads = convPads(ctx, [h, w], [kh, kw], stride, dilation);
      // ncnn stores each group's filters [out/group, in/group, kh, kw] one group after another: ONNX's layout.
      const conv = g.node(
        'Conv',
        [
          x.name,
          g.initializer('weight', [numOutput, inPerGroup, kh, kw], weights.weight),
          ...(weights.bias === undefined ? [] : [g.initializer('bias', [numOutput], weights.bias)]),
        ],
        { kernel_shape: [kh, kw], strides: [...stride], pads, dilations: [...dilation], group },
      );
      const outSize = (size: number, i: 0 | 1, before: number, after: number) =>
        Math.floor((size + before + after - ((i === 0 ? kh : kw) - 1) * dilation[i] - 1) / stride[i]) + 1;
      const shape = [numOutput, outSize(h, 0, pads[0], pads[2]), outSize(w, 1, pads[1], pads[3])];
      return [{ name: activation(g, ctx, conv), shape }];
    }
    case 'ReLU': {
      const slope = param(ctx, 0, 0);
      const name =
        slope === 0 ? g.node('Relu', [x.name]) : g.node('LeakyRelu', [x.name], { alpha: { float: slope } });
      return [{ name, shape: x.shape }];
    }
    case 'BinaryOp': {
      const [op, swap] = BINARY_OPS[param(ctx, 0, 0)] ?? [];
      if (op === undefined) return fail(ctx, `op_type 0=${param(ctx, 0, 0)} has no ONNX equivalent here`);
      const scalar = param(ctx, 1, 0) !== 0;
      const other = scalar
        ? { name: g.initializer('scalar', [], new Float32Array([param(ctx, 2, 0)])), shape: [] }
        : inputs[1];
      if (other === undefined) return fail(ctx, 'expected 2 inputs');
      const [a, b] = swap ? [other, x] : [x, other];
      const shape = scalar ? x.shape : x.shape.map((n, i) => Math.max(n, other.shape[i] ?? 1));
      return [{ name: g.node(op, [a.name, b.name]), shape }];
    }
    case 'Split':
      return ctx.layer.outputs.map(() => x);
    case 'Slice': {
      const axis = onnxAxis(ctx, param(ctx, 1, 0), x.shape.length);
      const sizes = sliceSizes(ctx, x.shape[axis - 1] ?? 0);
      const names = g.multiOutputNode('Split', [x.name, g.int64Initializer('split', sizes)], sizes.length, {
        axis,
      });
      return names.map((name, i) => ({
        name,
        shape: x.shape.map((n, d) => (d === axis - 1 ? sizes[i]! : n)),
      }));
    }
    case 'Concat': {
      const axis = onnxAxis(ctx, param(ctx, 0, 0), x.shape.length);
      const extent = inputs.reduce((sum, v) => sum + (v.shape[axis - 1] ?? 0), 0);
      const name = g.node(
        'Concat',
        inputs.map((v) => v.name),
        { axis },
      );
      return [{ name, shape: x.shape.map((n, d) => (d === axis - 1 ? extent : n)) }];
    }
    case 'Reshape': {
      const shape = resolveReshape(ctx, reshapeTarget(ctx), x.shape);
      // 0 keeps the batch axis.
      return [{ name: g.node('Reshape', [x.name, g.int64Initializer('shape', [0, ...shape])]), shape }];
    }
    case 'Permute': {
      const order = param(ctx, 0, 0);
      const perm =
        x.shape.length === 3
          ? PERMUTE_3D[order]
          : x.shape.length === 2
            ? [
                [0, 1],
                [1, 0],
              ][order]
            : [[0]][order];
      if (perm === undefined) return fail(ctx, `order_type ${order} on a ${x.shape.length}-D blob`);
      const name = g.node('Transpose', [x.name], { perm: [0, ...perm.map((a) => a + 1)] });
      return [{ name, shape: perm.map((a) => x.shape[a] ?? 0) }];
    }
    case 'Interp':
      return [interp(g, ctx, x)];
    default:
      return fail(ctx, `layer type '${ctx.layer.type}' cannot be exported to ONNX`);
  }
}

/** The convolution's fused activation (9=) as a node after it; returns the output's name. */
function activation(g: OnnxGraphBuilder, ctx: LayerContext, input: string): string {
  const params = arrayParam(ctx.graph, ctx.layer, 10) ?? [];
  switch (param(ctx, 9, 0)) {
    case 0:
      return input;
    case 1:
      return g.node('Relu', [input]);
    case 2:
      return g.node('LeakyRelu', [input], { alpha: { float: params[0] ?? 0 } });
    case 3: {
      const [min = -3.4028234663852886e38, max = 3.4028234663852886e38] = params;
      const bound = (v: number) => g.initializer('clip', [], new Float32Array([v]));
      return g.node('Clip', [input, bound(min), bound(max)]);
    }
    case 4:
      return g.node('Sigmoid', [input]);
    default:
      return fail(ctx, `activation_type 9=${param(ctx, 9, 0)} cannot be exported`);
  }
}

/** Interp as `Resize`: nearest with ncnn's indices (checked), or bilinear (align_corners or half_pixel). */
function interp(g: OnnxGraphBuilder, ctx: LayerContext, x: Value): Value {
  const [c = 0, h = 0, w = 0] = x.shape;
  const heightScale = param(ctx, 1, 1);
  const widthScale = param(ctx, 2, 1);
  const sized = param(ctx, 3, 0) !== 0 && param(ctx, 4, 0) !== 0;
  const oh = sized ? param(ctx, 3, 0) : Math.trunc(h * heightScale);
  const ow = sized ? param(ctx, 4, 0) : Math.trunc(w * widthScale);
  if (oh === h && ow === w) return x;
  const scales = g.initializer('scales', [4], new Float32Array([1, 1, oh / h, ow / w]));
  if (param(ctx, 0, 0) === 2) {
    const mode = param(ctx, 6, 0) !== 0 ? 'align_corners' : 'half_pixel';
    const name = g.node('Resize', [x.name, '', scales], {
      mode: 'linear',
      coordinate_transformation_mode: mode,
    });
    return { name, shape: [c, oh, ow] };
  }
  // ONNX nearest 'asymmetric' + 'floor' picks floor(y * h / oh); export only where ncnn picks the same.
  const ys = nearestIndices(h, oh, sized ? h / oh : 1 / heightScale);
  const xs = nearestIndices(w, ow, sized ? w / ow : 1 / widthScale);
  const floors = (size: number, out: number) =>
    Array.from({ length: out }, (_, y) => Math.floor((y * size) / out));
  if (ys.join() !== floors(h, oh).join() || xs.join() !== floors(w, ow).join())
    fail(ctx, `nearest resize ${h}x${w} -> ${oh}x${ow} has no ONNX Resize equivalent`);
  const name = g.node('Resize', [x.name, '', scales], {
    mode: 'nearest',
    coordinate_transformation_mode: 'asymmetric',
    nearest_mode: 'floor',
  });
  return { name, shape: [c, oh, ow] };
}

/**
 * Exports a loaded ncnn graph as an ONNX model (opset 17), the layout of `exportOnnx` for HRNet: input
 * {@link ONNX_INPUT} `[N, C, H, W]` (normalised, NCHW), output {@link ONNX_OUTPUT} `[N, K, h, w]`, with a
 * dynamic batch. Blob shapes are propagated from the fixed input size, so Reshape/Slice/Interp sizes become
 * constants. Layers or parameters without an ONNX equivalent are a `FormatError` naming the layer.
 */
export function exportNcnnOnnx(source: NcnnExportSource): Uint8Array {
  const { graph, weights } = source;
  const [height, width, channels] = source.inputShape;
  const g = new OnnxGraphBuilder(graph.source);
  g.addInput(ONNX_INPUT, ['N', channels, height, width]);
  const values = new Map<string, Value>([
    [source.inputName, { name: ONNX_INPUT, shape: [channels, height, width] }],
  ]);
  for (const layer of graph.layers) {
    if (layer.type === 'Input') continue;
    const ctx: LayerContext = { graph, layer, weights: weights.get(layer.name) };
    const inputs = layer.inputs.map(
      (blob) => values.get(blob) ?? fail(ctx, `reads blob '${blob}' before it is written`),
    );
    const outputs = exportLayer(g, ctx, inputs);
    layer.outputs.forEach((blob, i) => {
      const value = outputs[i];
      if (value !== undefined) values.set(blob, value);
    });
  }
  const output = values.get(source.outputName);
  if (output === undefined || output.shape.length !== 3)
    throw new Error(`${graph.source}: output blob '${source.outputName}' is not a 3-D (c,h,w) blob`);
  g.addOutput(output.name, ONNX_OUTPUT, ['N', ...output.shape]);
  return g.toModelProto();
}
