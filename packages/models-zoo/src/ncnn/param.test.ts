import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError, setBackend } from '@hrnet/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedDir } from '../../../../testing/shared';
import { NcnnModel } from './model';
import { parseNcnnParam } from './param';
import { readNcnnWeights } from './weights';

const source = join(sharedDir(), 'models', 'pp-tinypose', 'tinypose_256x192.param');
const paramText = readFileSync(source, 'utf8');
const bin = readFileSync(source.replace(/\.param$/, '.bin'));

/** The real file with one line replaced (1-based line number). */
function withLine(line: number, text: string): string {
  const lines = paramText.split('\n');
  lines[line - 1] = text;
  return lines.join('\n');
}

describe('parseNcnnParam', () => {
  // Layers before the faulty line compile, which uploads their weights.
  beforeAll(() => setBackend('cpu'));

  it('parses the PP-TinyPose graph with typed parameters', () => {
    const graph = parseNcnnParam(paramText, source);
    expect(graph.layers).toHaveLength(698);
    const slice = graph.layers.find((l) => l.type === 'Slice');
    expect(slice?.params.get(0)).toEqual([-233, -233]); // -23300=2,-233,-233 is array param 0
    const interp = graph.layers.find((l) => l.type === 'Interp');
    expect(interp?.params.get(1)).toBe(2);
    expect(graph.layers[1]).toMatchObject({
      type: 'Convolution',
      name: 'Conv_0',
      inputs: ['image'],
      line: 4,
    });
  });

  it('rejects a bad magic number', () => {
    expect(() => parseNcnnParam(`7767518\n${paramText.split('\n').slice(1).join('\n')}`, 'x.param')).toThrow(
      /x\.param: not an ncnn \.param file \(line 1 must be the magic 7767517, got '7767518'\)/,
    );
  });

  it('names the line of a malformed parameter and of an unread blob', () => {
    expect(() =>
      parseNcnnParam(withLine(4, 'Convolution Conv_0 1 1 image relu_0.tmp_0 0=abc'), 'x.param'),
    ).toThrow(/x\.param: line 4 \(layer 'Conv_0'\): 'abc' is not a number/);
    expect(() =>
      parseNcnnParam(withLine(4, 'Convolution Conv_0 1 1 nowhere relu_0.tmp_0 0=32'), 'x.param'),
    ).toThrow(/line 4: layer 'Conv_0' reads blob 'nowhere' before any layer writes it/);
  });

  it('rejects an unknown layer type, naming file, line and type', () => {
    const text = withLine(11, 'Softmax Concat_0 2 1 relu_1.tmp_0 relu_3.tmp_0 concat_0.tmp_0');
    expect(() => NcnnModel.load(text, bin, { source: 'x.param', inputShape: [256, 192, 3] })).toThrow(
      /x\.param: line 11 \(Softmax 'Concat_0'\): layer type 'Softmax' is not supported/,
    );
  });

  it('rejects an unsupported parameter of a known layer', () => {
    const text = withLine(4, 'Convolution Conv_0 1 1 image relu_0.tmp_0 0=32 1=3 3=2 4=1 5=1 6=864 9=1 19=1');
    expect(() => NcnnModel.load(text, bin, { source: 'x.param', inputShape: [256, 192, 3] })).toThrow(
      /line 4 \(Convolution 'Conv_0'\): parameter 19 is not supported/,
    );
  });

  it('asks for the input shape when the Input layer does not declare it', () => {
    expect(() => NcnnModel.load(paramText, bin, { source: 'x.param' })).toThrow(/pass inputShape/);
  });
});

describe('readNcnnWeights', () => {
  const graph = parseNcnnParam(paramText, source);

  it('reads float16 weights and float32 biases of every convolution', () => {
    const weights = readNcnnWeights(graph, bin, 'x.bin');
    expect(weights.size).toBe(173 + 96);
    const conv0 = weights.get('Conv_0');
    expect(conv0?.weight).toHaveLength(864);
    expect(conv0?.bias).toHaveLength(32);
    expect(conv0?.weight.every(Number.isFinite)).toBe(true);
  });

  it('names the layer whose weights a truncated .bin cuts off', () => {
    const error = (() => {
      try {
        readNcnnWeights(graph, bin.subarray(0, 1000), 'x.bin');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FormatError);
    expect((error as Error).message).toMatch(
      /^x\.bin: .*weights of line \d+ \(\w+ 'Conv_\d+'\).*truncated or mismatched \.bin/,
    );
  });

  it('rejects a .bin with bytes left over and an unknown storage tag', () => {
    const longer = new Uint8Array(bin.length + 8);
    longer.set(bin);
    expect(() => readNcnnWeights(graph, longer, 'x.bin')).toThrow(
      /x\.bin: 8 bytes left after the last layer's weights/,
    );
    const badTag = new Uint8Array(bin);
    badTag.set([0x38, 0x4b, 0x0d, 0x00], 0);
    expect(() => readNcnnWeights(graph, badTag, 'x.bin')).toThrow(
      /'Conv_0'.*int8 weight storage \(tag 0x000d4b38/,
    );
  });
});
