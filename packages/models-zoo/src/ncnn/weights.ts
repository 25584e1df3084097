import { FormatError, float16BitsToFloat32 } from '@hrnet/core';
import { layerLabel, type NcnnGraph, scalarParam } from './param';

/** Weights of one layer as stored in the `.bin`, widened to float32 (ncnn layout: OIHW, per group). */
export interface NcnnLayerWeights {
  readonly weight: Float32Array;
  /** Present when the layer has `5=1` (bias_term). */
  readonly bias?: Float32Array;
}

/** Layer types that own data in the `.bin`; their data follows in layer order. */
const WEIGHTED_TYPES = new Set(['Convolution', 'ConvolutionDepthWise']);

/** `.bin` storage tags (ncnn modelbin.cpp): the tag precedes each tensor loaded with type 0. */
const TAG_FLOAT16 = 0x01306b47;
const TAG_INT8 = 0x000d4b38;
const TAG_FLOAT32_SCALED = 0x0002c056;

/** Sequential reader over the `.bin` bytes, mirroring ncnn's `ModelBinFromDataReader::load`. */
class BinReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly source: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  private take(byteLength: number, what: string): Uint8Array {
    if (byteLength > this.remaining)
      throw new FormatError(
        this.source,
        `${what}: needs ${byteLength} bytes at offset ${this.offset}, only ${this.remaining} left (truncated or mismatched .bin)`,
      );
    // Copy into a fresh buffer so typed-array views start aligned (a Node Buffer's slice() would not copy).
    const out = new Uint8Array(byteLength);
    out.set(this.bytes.subarray(this.offset, this.offset + byteLength));
    this.offset += byteLength;
    return out;
  }

  /** Raw little-endian float32 values (ncnn load type 1, used for biases). */
  float32(count: number, what: string): Float32Array {
    return new Float32Array(this.take(count * 4, what).buffer);
  }

  /** A tagged tensor (ncnn load type 0): float16 padded to 4 bytes, or float32. */
  tagged(count: number, what: string): Float32Array {
    const tagOffset = this.offset;
    const tagBytes = this.take(4, `${what} storage tag`);
    const tag = this.view.getUint32(tagOffset, true);
    if (tag === TAG_FLOAT16) {
      const padded = (count * 2 + 3) & ~3;
      const bits = new Uint16Array(this.take(padded, `${what} (float16)`).buffer, 0, count);
      return float16BitsToFloat32(bits);
    }
    if (tag === 0 || tag === TAG_FLOAT32_SCALED) return this.float32(count, `${what} (float32)`);
    const kind = tag === TAG_INT8 ? 'int8' : tagBytes.some((b) => b !== 0) ? 'quantized-table' : 'unknown';
    throw new FormatError(
      this.source,
      `${what}: ${kind} weight storage (tag 0x${tag.toString(16).padStart(8, '0')} at offset ${tagOffset}) is not supported`,
    );
  }
}

/**
 * Reads the `.bin` weights of `graph` (layer order, as ncnn loads them) and widens float16 data to float32.
 * Returns the weights keyed by layer name. Throws a `FormatError` naming the layer when the file is
 * truncated, uses an unsupported storage, or has bytes left over (a `.bin` of another model).
 */
export function readNcnnWeights(
  graph: NcnnGraph,
  bin: Uint8Array,
  source: string,
): Map<string, NcnnLayerWeights> {
  const reader = new BinReader(bin, source);
  const weights = new Map<string, NcnnLayerWeights>();
  for (const layer of graph.layers) {
    if (!WEIGHTED_TYPES.has(layer.type)) continue;
    const what = `weights of ${layerLabel(layer)} in ${graph.source}`;
    const size = scalarParam(graph, layer, 6, 0);
    if (!Number.isInteger(size) || size <= 0)
      throw new FormatError(
        graph.source,
        `${layerLabel(layer)}: weight_data_size (6=) must be a positive integer`,
      );
    const weight = reader.tagged(size, what);
    const numOutput = scalarParam(graph, layer, 0, 0);
    const hasBias = scalarParam(graph, layer, 5, 0) !== 0;
    weights.set(
      layer.name,
      hasBias ? { weight, bias: reader.float32(numOutput, `bias of ${layerLabel(layer)}`) } : { weight },
    );
  }
  if (reader.remaining !== 0)
    throw new FormatError(
      source,
      `${reader.remaining} bytes left after the last layer's weights; the .bin does not match ${graph.source}`,
    );
  return weights;
}
