import { ProtoWriter } from './proto';

/** ONNX opset the exporter targets (`Resize` with `nearest_mode`, `Conv`, `Add`, `Relu`). */
export const ONNX_OPSET = 17;
/** IR version that goes with opset 17. */
const ONNX_IR_VERSION = 8;
/** `TensorProto.DataType`: FLOAT and INT64 (shapes, sizes and split lengths). */
const FLOAT = 1;
const INT64 = 7;

/** An attribute value: an integer, a float (`{ float: x }`), a string or a list of integers. */
export type OnnxAttribute = number | { readonly float: number } | string | readonly number[];

interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  inputs: string[];
  outputs: string[];
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
}

interface Initializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

/** A tensor's dimension: a fixed size or a symbolic name (e.g. `N` for a dynamic batch). */
export type OnnxDim = number | string;

interface ValueInfo {
  readonly name: string;
  readonly dims: readonly OnnxDim[];
}

/** Options of a `Conv` node (NCHW, OIHW weights). */
export interface OnnxConvOptions {
  /** Weights `[out, in, kh, kw]` (OIHW) flattened. */
  readonly weight: Float32Array;
  readonly weightDims: readonly [number, number, number, number];
  /** One value per output channel, or none. */
  readonly bias?: Float32Array | undefined;
  readonly stride: number;
  readonly padding: number;
}

/**
 * Builds an ONNX graph node by node (float32 tensors, int64 constants) and serialises it as an ONNX `ModelProto`.
 * Every method returns the name of the tensor it produces, so a network's export reads like its forward.
 *
 * @example
 * ```ts
 * const g = new OnnxGraphBuilder('tiny');
 * const y = g.relu(g.conv('input', { weight, weightDims: [8, 3, 3, 3], stride: 1, padding: 1 }));
 * g.addInput('input', ['N', 3, 32, 32]);
 * g.addOutput(y, 'output', ['N', 8, 32, 32]);
 * const bytes = g.toModelProto();
 * ```
 */
export class OnnxGraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private counter = 0;

  constructor(readonly graphName: string) {}

  /** A fresh tensor name `${prefix}_${n}`. */
  uniqueName(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  /** Adds a constant float32 tensor; returns its name. */
  initializer(prefix: string, dims: readonly number[], data: Float32Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) {
      throw new Error(`ONNX initializer ${prefix}: ${data.length} values for dims [${dims.join(', ')}]`);
    }
    const name = this.uniqueName(prefix);
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** Adds a constant 1-D int64 tensor (a shape, sizes, split lengths); returns its name. */
  int64Initializer(prefix: string, values: readonly number[]): string {
    const name = this.uniqueName(prefix);
    this.initializers.push({ name, dims: [values.length], data: BigInt64Array.from(values, BigInt) });
    return name;
  }

  /** Appends a node with one output; returns the output's name. */
  node(opType: string, inputs: readonly string[], attributes: Record<string, OnnxAttribute> = {}): string {
    const name = this.uniqueName(opType.toLowerCase());
    this.nodes.push({ opType, name, inputs: [...inputs], outputs: [name], attributes });
    return name;
  }

  /** Appends a node with `outputCount` outputs (e.g. `Split`); returns their names. */
  multiOutputNode(
    opType: string,
    inputs: readonly string[],
    outputCount: number,
    attributes: Record<string, OnnxAttribute> = {},
  ): string[] {
    const name = this.uniqueName(opType.toLowerCase());
    const outputs = Array.from({ length: outputCount }, (_, i) => `${name}_${i}`);
    this.nodes.push({ opType, name, inputs: [...inputs], outputs, attributes });
    return outputs;
  }

  /** `Conv` with symmetric zero padding. */
  conv(input: string, options: OnnxConvOptions): string {
    const [, , kh, kw] = options.weightDims;
    const inputs = [input, this.initializer('weight', options.weightDims, options.weight)];
    if (options.bias !== undefined)
      inputs.push(this.initializer('bias', [options.bias.length], options.bias));
    const p = options.padding;
    return this.node('Conv', inputs, {
      kernel_shape: [kh, kw],
      strides: [options.stride, options.stride],
      pads: [p, p, p, p],
      dilations: [1, 1],
      group: 1,
    });
  }

  relu(input: string): string {
    return this.node('Relu', [input]);
  }

  add(a: string, b: string): string {
    return this.node('Add', [a, b]);
  }

  /** PyTorch's `nn.Upsample(scale_factor, mode='nearest')` on NCHW: `Resize` nearest, asymmetric, floor. */
  upsampleNearest(input: string, factor: number): string {
    const scales = this.initializer('scales', [4], new Float32Array([1, 1, factor, factor]));
    return this.node('Resize', [input, '', scales], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
  }

  /** Declares a graph input (float32). */
  addInput(name: string, dims: readonly OnnxDim[]): void {
    this.inputs.push({ name, dims });
  }

  /** Declares a graph output (float32), renaming the tensor `tensor` to `name`. */
  addOutput(tensor: string, name: string, dims: readonly OnnxDim[]): void {
    if (!this.nodes.some((n) => n.outputs.includes(tensor)))
      throw new Error(`ONNX output ${name}: no node produces ${tensor}`);
    const rename = (t: string) => (t === tensor ? name : t);
    for (const node of this.nodes) {
      node.inputs = node.inputs.map(rename);
      node.outputs = node.outputs.map(rename);
    }
    this.outputs.push({ name, dims });
  }

  /** Number of nodes so far. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** The serialised ONNX `ModelProto`. */
  toModelProto(
    producer: { name: string; version: string } = { name: 'hrnet-ts', version: '0.0.0' },
  ): Uint8Array {
    const model = new ProtoWriter();
    model.varint(1, ONNX_IR_VERSION);
    model.string(2, producer.name);
    model.string(3, producer.version);
    model.message(7, (g) => this.writeGraph(g));
    model.message(8, (opset) => opset.string(1, '').varint(2, ONNX_OPSET));
    return model.finish();
  }

  private writeGraph(g: ProtoWriter): void {
    for (const node of this.nodes) g.message(1, (w) => writeNode(w, node));
    g.string(2, this.graphName);
    for (const init of this.initializers) g.message(5, (w) => writeTensor(w, init));
    for (const input of this.inputs) g.message(11, (w) => writeValueInfo(w, input));
    for (const output of this.outputs) g.message(12, (w) => writeValueInfo(w, output));
  }
}

function writeNode(w: ProtoWriter, node: OnnxNode): void {
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes))
    w.message(5, (a) => writeAttribute(a, name, value));
}

/** `AttributeProto`: name (1), f (2), i (3), s (4), ints (8), type (20: FLOAT 1, INT 2, STRING 3, INTS 7). */
function writeAttribute(w: ProtoWriter, name: string, value: OnnxAttribute): void {
  w.string(1, name);
  if (typeof value === 'number') {
    w.varint(3, value).varint(20, 2);
  } else if (typeof value === 'string') {
    w.string(4, value).varint(20, 3);
  } else if ('float' in value) {
    w.float32(2, value.float).varint(20, 1);
  } else {
    for (const i of value) w.varint(8, i);
    w.varint(20, 7);
  }
}

/** `TensorProto`: dims (1), data_type (2), name (8), raw_data (9: the platform's bytes, little-endian everywhere JS runs in practice). */
function writeTensor(w: ProtoWriter, tensor: Initializer): void {
  for (const d of tensor.dims) w.varint(1, d);
  w.varint(2, tensor.data instanceof Float32Array ? FLOAT : INT64);
  w.string(8, tensor.name);
  const { buffer, byteOffset, byteLength } = tensor.data;
  w.bytes(9, new Uint8Array(buffer, byteOffset, byteLength));
}

/** `ValueInfoProto` of a float32 tensor: name (1), type (2) → tensor_type (1) → elem_type (1), shape (2). */
function writeValueInfo(w: ProtoWriter, info: ValueInfo): void {
  w.string(1, info.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.varint(1, FLOAT);
      tensor.message(2, (shape) => {
        for (const d of info.dims) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.varint(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
}
