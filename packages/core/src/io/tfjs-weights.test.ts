import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { FormatError } from './errors';
import { type NdArray, ndarray } from './ndarray';
import { decodeWeights, type EncodedWeights, encodeWeights } from './tfjs-weights';

const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.37) * (1 + i / 100));
const entries: { name: string; array: NdArray }[] = [
  { name: 'conv.weight', array: ndarray('float32', [10, 5, 4, 5], values) },
  { name: 'bn.count', array: ndarray('int64', [], BigInt64Array.of(7n)) },
  { name: 'fc.bias', array: ndarray('float64', [3], Float64Array.of(0.1, -2, 3e10)) },
  { name: 'half', array: ndarray('float16', [2], Uint16Array.of(0x3c00, 0x3555)) },
];

function concat(encoded: EncodedWeights): ArrayBuffer {
  const total = encoded.shards.reduce((sum, shard) => sum + shard.bytes.length, 0);
  const all = new Uint8Array(total);
  let at = 0;
  for (const shard of encoded.shards) {
    all.set(shard.bytes, at);
    at += shard.bytes.length;
  }
  return all.buffer;
}

function decode(encoded: EncodedWeights): Map<string, NdArray> {
  const shards = new Map(encoded.shards.map((shard) => [shard.path, shard.bytes]));
  return decodeWeights(encoded.manifest, (path) => shards.get(path)!);
}

describe('tfjs weights', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(['float32', 'float16'] as const)('decodes %s weights like tf.io.decodeWeights', (quantization) => {
    const encoded = encodeWeights(entries, quantization === 'float16' ? { quantization } : {});
    const ours = decode(encoded);
    const theirs = tf.io.decodeWeights(
      concat(encoded),
      encoded.manifest[0]!.weights as tf.io.WeightsManifestEntry[],
    );
    expect(Object.keys(theirs)).toEqual([...ours.keys()]);
    for (const [name, nd] of ours) {
      expect(theirs[name]!.shape, name).toEqual(nd.shape);
      expect(Array.from(theirs[name]!.dataSync()), name).toEqual(
        Array.from(nd.data as Float32Array | Int32Array),
      );
    }
    expect(ours.get('bn.count')).toEqual(ndarray('int32', [], Int32Array.of(7)));
    if (quantization === 'float32') expect(ours.get('conv.weight')!.data).toEqual(values);
    else expect(ours.get('half')!.data).toEqual(Float32Array.of(1, 0.333251953125));
  });

  it('quantizes to uint8 within half a step, as tfjs reads it', () => {
    const encoded = encodeWeights(entries.slice(0, 1), { quantization: 'uint8' });
    const [entry] = encoded.manifest[0]!.weights;
    expect(entry!.quantization?.dtype).toBe('uint8');
    const { scale } = entry!.quantization as { scale: number };
    expect(scale).toBeCloseTo((Math.max(...values) - Math.min(...values)) / 255, 6);
    const decoded = decode(encoded).get('conv.weight')!.data as Float32Array;
    const maxError = Math.max(...decoded.map((value, i) => Math.abs(value - values[i]!)));
    expect(maxError).toBeLessThanOrEqual(scale / 2 + 1e-6);
    const theirs = tf.io.decodeWeights(
      concat(encoded),
      encoded.manifest[0]!.weights as tf.io.WeightsManifestEntry[],
    );
    expect(Array.from(theirs['conv.weight']!.dataSync())).toEqual(Array.from(decoded));
  });

  it('splits into shards of at most shardBytes', () => {
    const encoded = encodeWeights(entries, { shardBytes: 1000, shardPrefix: 'w' });
    expect(encoded.shards.map((shard) => shard.path)).toEqual([
      'w-shard1of5.bin',
      'w-shard2of5.bin',
      'w-shard3of5.bin',
      'w-shard4of5.bin',
      'w-shard5of5.bin',
    ]);
    expect(encoded.shards.every((shard) => shard.bytes.length <= 1000)).toBe(true);
    expect(decode(encoded).get('conv.weight')!.data).toEqual(values);
  });

  it('refuses int64 values outside the int32 range', () => {
    const big = [{ name: 'big', array: ndarray('int64', [1], BigInt64Array.of(2n ** 40n)) }];
    expect(() => encodeWeights(big)).toThrow('weight big: int64 value 1099511627776 does not fit in int32');
  });

  it('reports shards that do not match the manifest', () => {
    const encoded = encodeWeights(entries);
    const short = encoded.shards[0]!.bytes.subarray(0, 100);
    expect(() => decodeWeights(encoded.manifest, () => short)).toThrow(FormatError);
    expect(() => decodeWeights(encoded.manifest, () => short)).toThrow(
      'group1-shard1of1.bin: truncated: weight conv.weight extends past the end of the shards',
    );
  });
});
