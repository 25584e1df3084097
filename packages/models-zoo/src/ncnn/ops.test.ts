import { setBackend } from '@hrnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { NcnnModel } from './model';

/** A weightless graph text: the header counts are derived from the layer lines. */
function graph(lines: string[]): string {
  const blobs = new Set(
    lines.flatMap((l) => l.split(/\s+/).slice(4, 4 + Number(l.split(/\s+/)[2]) + Number(l.split(/\s+/)[3]))),
  );
  return ['7767517', `${lines.length} ${blobs.size}`, ...lines].join('\n');
}

const shuffle = ['Reshape r1 1 1 x a 0=6 1=2 2=2', 'Permute p 1 1 a b 0=2', 'Reshape r2 1 1 b y 0=3 1=2 2=4'];

describe('ncnn Reshape/Permute channel shuffle', () => {
  beforeAll(() => setBackend('cpu'));

  it('interleaves the channel groups, fused and via the generic Reshape/Permute ops alike', () => {
    const fused = NcnnModel.load(graph(['Input in 0 1 x', ...shuffle]), new Uint8Array(), {
      inputShape: [2, 3, 4],
    });
    // A Split between the layers breaks the pattern, so the same ops run one by one on planar blobs.
    const generic = NcnnModel.load(
      graph(['Input in 0 1 x', 'Reshape r1 1 1 x a0 0=6 1=2 2=2', 'Split s 1 1 a0 a', ...shuffle.slice(1)]),
      new Uint8Array(),
      { inputShape: [2, 3, 4] },
    );
    const x = tf.randomNormal([2, 2, 3, 4]) as tf.Tensor4D;
    // ncnn channel gi * 2 + j moves to j * 2 + gi: [0, 1, 2, 3] -> [0, 2, 1, 3].
    const expected = tf.gather(x, [0, 2, 1, 3], 3);
    for (const model of [fused, generic]) {
      const y = model.predict(x);
      expect(Array.from(y.dataSync())).toEqual(Array.from(expected.dataSync()));
      y.dispose();
      model.dispose();
    }
    tf.dispose([x, expected]);
  });
});
