import { readFileSync } from 'node:fs';
import { registerGradients, setBackend } from '@hrnet/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { referencePath } from '../../../testing/shared';
import { type HRNetConfig, parseHRNetConfigYaml } from './config';
import { jointsMSELoss } from './loss';
import { PoseHighResolutionNet } from './pose-hrnet';

beforeAll(async () => {
  await setBackend('cpu');
  await registerGradients();
});

const tinyYaml = readFileSync(referencePath('models', 'tiny', 'config.yaml'), 'utf8');
const tiny = (extra: Partial<HRNetConfig> = {}): HRNetConfig => ({
  ...parseHRNetConfigYaml(tinyYaml),
  ...extra,
});

/** Keys whose gradient after one loss evaluation on random data is not all zero. */
function keysWithGradient(net: PoseHighResolutionNet, prefix: string): { total: number; flowing: number } {
  const entries = [...net.state.entries.values()].filter(
    (e) => e.kind === 'parameter' && e.key.includes(prefix),
  );
  const { grads } = tf.variableGrads(
    () =>
      tf.tidy(() => {
        const x = tf.randomNormal([2, 96, 64, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
        const target = tf.randomUniform([2, 24, 16, 17], 0, 1, 'float32', 2) as tf.Tensor4D;
        return jointsMSELoss(net.forward(x, { training: true }), target);
      }),
    entries.map((e) => e.variable),
  );
  const flowing = entries.filter((e) =>
    tf.tidy(() => tf.any(tf.notEqual(grads[e.variable.name]!, 0)).dataSync()[0]),
  );
  tf.dispose(Object.values(grads));
  return { total: entries.length, flowing: flowing.length };
}

describe('model options (off by default)', () => {
  test('the default network has no option parameters and the config no option keys', () => {
    const config = tiny();
    expect('exchange' in config || 'head' in config).toBe(false);
    const net = new PoseHighResolutionNet(config);
    const keys = [...net.state.entries.keys()];
    expect(keys.some((k) => k.includes('fuse_attention') || k.includes('multi_scale_head'))).toBe(false);
    const explicit = new PoseHighResolutionNet(tiny({ exchange: 'sum', head: 'high-resolution' }));
    expect([...explicit.state.entries.keys()]).toEqual(keys);
    net.dispose();
    explicit.dispose();
  });

  test('YAML: MODEL.EXTRA.EXCHANGE and MODEL.EXTRA.HEAD', () => {
    const yaml = tinyYaml.replace(
      'FINAL_CONV_KERNEL: 1',
      'FINAL_CONV_KERNEL: 1\n    EXCHANGE: attention\n    HEAD: multi-scale',
    );
    expect(parseHRNetConfigYaml(yaml)).toMatchObject({ exchange: 'attention', head: 'multi-scale' });
    expect(() =>
      parseHRNetConfigYaml(tinyYaml.replace('FINAL_CONV_KERNEL: 1', 'FINAL_CONV_KERNEL: 1\n    HEAD: x')),
    ).toThrow(/MODEL.EXTRA.HEAD/);
  });

  test('(a) attention-weighted exchange: same output shape, gradients reach every new parameter', () => {
    const net = new PoseHighResolutionNet(tiny({ exchange: 'attention' }), { seed: 1 });
    expect(net.predict(tf.zeros([1, 96, 64, 3])).shape).toEqual([1, 24, 16, 17]);
    const { total, flowing } = keysWithGradient(net, 'fuse_attention');
    // stage2: 2 outputs, stage3: 2 modules x 3, stage4: 1 module x 4 + the last module's 1; weight and bias each.
    expect(total).toBe(2 * (2 + 6 + 4 + 1));
    expect(flowing).toBe(total);
    net.dispose();
  });

  test('(b) multi-scale head: same output shape, gradients reach the new heads', () => {
    const net = new PoseHighResolutionNet(tiny({ head: 'multi-scale' }), { seed: 1 });
    expect(net.predict(tf.zeros([1, 96, 64, 3])).shape).toEqual([1, 24, 16, 17]);
    const { total, flowing } = keysWithGradient(net, 'multi_scale_head');
    expect(total).toBe(2 * 3);
    expect(flowing).toBe(total);
    net.dispose();
  });
});
