import { readFileSync } from 'node:fs';
import { nhwcToNchw, setBackend, tensorFromNdArray } from '@hrnet/core';
import { readNpyFile, readStateDictFile } from '@hrnet/core/node';
import { parseHRNetConfigYaml } from '@hrnet/layers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { maxAbsDiff } from '../../../../testing/cli';
import { referencePath } from '../../../../testing/shared';
import { hrnetNetwork, isNchwNetwork, type NchwShape } from '../estimator/network';
import { networkForRuntime } from './runtime';

/** Max abs difference allowed between ONNX Runtime and the official output / the tfjs forward. */
const TOLERANCE = 1e-4;

const tiny = (name: string) => referencePath('models', 'tiny', name);

async function tinyNetwork() {
  const config = parseHRNetConfigYaml(readFileSync(tiny('config.yaml'), 'utf8'));
  return hrnetNetwork(config, await readStateDictFile(tiny('model.pth')));
}

describe('networkForRuntime onnx with onnxruntime-web (the browser default), run here in Node', () => {
  beforeAll(async () => {
    await setBackend('cpu');
  });

  test(`the exported tiny HRNet matches the official output and the tfjs forward within ${TOLERANCE}`, async () => {
    const input = await readNpyFile(tiny('input.npy'));
    const official = tensorFromNdArray(await readNpyFile(tiny('output.npy'))).dataSync() as Float32Array;
    const nchw = tensorFromNdArray(input);
    const tfjs = await tinyNetwork();
    const tfjsHeatmaps = tf.tidy(
      () =>
        nhwcToNchw(tfjs.predict(tf.transpose(nchw, [0, 2, 3, 1]) as tf.Tensor4D)).dataSync() as Float32Array,
    );
    tfjs.dispose();

    const network = await networkForRuntime(await tinyNetwork(), { runtime: 'onnx' }, 'onnxruntime-web');
    expect(isNchwNetwork(network)).toBe(true);
    if (!isNchwNetwork(network)) return;
    const heatmaps = await network.run(nchw.dataSync() as Float32Array, [...input.shape] as NchwShape);
    network.dispose();
    expect(heatmaps.shape).toEqual([...(await readNpyFile(tiny('output.npy'))).shape]);
    expect(maxAbsDiff(heatmaps.data, official)).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(heatmaps.data, tfjsHeatmaps)).toBeLessThan(TOLERANCE);
  });
});
