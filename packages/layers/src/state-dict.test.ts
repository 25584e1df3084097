import { readFileSync } from 'node:fs';
import { ndarray, setBackend } from '@hrnet/core';
import { readStateDictFile } from '@hrnet/core/node';
import { beforeAll, expect, test } from 'vitest';
import { referencePath } from '../../../testing/shared';
import { parseHRNetConfigYaml } from './config';
import { PoseHighResolutionNet } from './pose-hrnet';
import { loadStateDict, StateDictError, stateDict } from './state-dict';

const config = () =>
  parseHRNetConfigYaml(readFileSync(referencePath('models', 'tiny', 'config.yaml'), 'utf8'));

beforeAll(async () => {
  await setBackend('cpu');
});

test('stateDict round-trips a loaded checkpoint exactly (layouts converted back to OIHW)', async () => {
  const checkpoint = await readStateDictFile(referencePath('models', 'tiny', 'model.pth'));
  const net = new PoseHighResolutionNet(config());
  try {
    loadStateDict(net, checkpoint);
    const out = stateDict(net);
    expect([...out.keys()]).toEqual([...checkpoint.keys()]);
    for (const [key, t] of checkpoint) {
      expect(out.get(key)!.shape, key).toEqual(t.shape);
      expect(out.get(key)!.data, key).toEqual(t.data);
    }
  } finally {
    net.dispose();
  }
});

test('a missing key, an unexpected key and a shape mismatch are all reported, and nothing is loaded', async () => {
  const checkpoint = await readStateDictFile(referencePath('models', 'tiny', 'model.pth'));
  checkpoint.delete('stage3.1.fuse_layers.2.0.1.0.weight');
  checkpoint.set('head.extra.weight', ndarray('float32', [1], new Float32Array(1)));
  checkpoint.set('final_layer.bias', ndarray('float32', [16], new Float32Array(16)));
  const net = new PoseHighResolutionNet(config());
  try {
    const before = net.state.entries.get('conv1.weight')!.variable.dataSync().slice();
    let error: unknown;
    try {
      loadStateDict(net, checkpoint);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StateDictError);
    const e = error as StateDictError;
    expect(e.missing).toEqual(['stage3.1.fuse_layers.2.0.1.0.weight']);
    expect(e.unexpected).toEqual(['head.extra.weight']);
    expect(e.mismatched).toEqual([{ key: 'final_layer.bias', expected: [17], got: [16] }]);
    expect(e.message).toMatch(/missing keys: stage3\.1\.fuse_layers\.2\.0\.1\.0\.weight/);
    expect(e.message).toMatch(/unexpected keys: head\.extra\.weight/);
    expect(e.message).toMatch(/final_layer\.bias \(model \[17\], checkpoint \[16\]\)/);
    expect(net.state.entries.get('conv1.weight')!.variable.dataSync()).toEqual(before);
  } finally {
    net.dispose();
  }
});
