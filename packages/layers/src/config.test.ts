import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { referencePath } from '../../../testing/shared';
import {
  ConfigError,
  HRNET_PRESETS,
  hrnetConfigFromOfficial,
  hrnetPreset,
  parseHRNetConfigYaml,
} from './config';

test('the official tiny YAML parses into the typed config', () => {
  const config = parseHRNetConfigYaml(readFileSync(referencePath('models', 'tiny', 'config.yaml'), 'utf8'));
  expect(config.numJoints).toBe(17);
  expect(config.imageSize).toEqual([64, 96]);
  expect(config.heatmapSize).toEqual([16, 24]);
  expect(config.stage3).toEqual({
    numModules: 2,
    numBranches: 3,
    block: 'BASIC',
    numBlocks: [2, 2, 2],
    numChannels: [8, 16, 32],
    fuseMethod: 'SUM',
  });
});

test('a typed config round-trips through the official layout', () => {
  const w48 = hrnetPreset('w48-coco-384x288');
  const toOfficial = (s: typeof w48.stage2) => ({
    NUM_MODULES: s.numModules,
    NUM_BRANCHES: s.numBranches,
    BLOCK: s.block,
    NUM_BLOCKS: s.numBlocks,
    NUM_CHANNELS: s.numChannels,
    FUSE_METHOD: s.fuseMethod,
  });
  const official = {
    MODEL: {
      NAME: 'pose_hrnet',
      NUM_JOINTS: 17,
      IMAGE_SIZE: [288, 384],
      HEATMAP_SIZE: [72, 96],
      EXTRA: {
        FINAL_CONV_KERNEL: 1,
        STAGE2: toOfficial(w48.stage2),
        STAGE3: toOfficial(w48.stage3),
        STAGE4: toOfficial(w48.stage4),
      },
    },
  };
  expect(hrnetConfigFromOfficial(official)).toEqual(w48);
});

test('presets: widths, modules and heatmap sizes of the official configs', () => {
  expect(Object.keys(HRNET_PRESETS)).toContain('w32-mpii-256x256');
  const w32 = hrnetPreset('w32-coco-256x192');
  expect(w32.stage4.numChannels).toEqual([32, 64, 128, 256]);
  expect([w32.stage2.numModules, w32.stage3.numModules, w32.stage4.numModules]).toEqual([1, 4, 3]);
  expect(w32.heatmapSize).toEqual([48, 64]);
  expect(() => hrnetPreset('w64')).toThrow(/unknown preset 'w64'; expected one of w32-coco-256x192/);
});

test('malformed configs name the field', () => {
  const yaml = readFileSync(referencePath('models', 'tiny', 'config.yaml'), 'utf8');
  expect(() => parseHRNetConfigYaml(yaml.replace('NUM_BRANCHES: 3', 'NUM_BRANCHES: 2'))).toThrow(
    /STAGE3.NUM_BRANCHES: HRNet's STAGE3 has 3 branches, got 2/,
  );
  expect(() => parseHRNetConfigYaml(yaml.replace(/ {4}STAGE4:[\s\S]*$/, ''))).toThrow(ConfigError);
  expect(() => parseHRNetConfigYaml(yaml.replace(/ {4}STAGE4:[\s\S]*$/, ''))).toThrow(
    /MODEL.EXTRA: missing STAGE4/,
  );
  expect(() => parseHRNetConfigYaml('MODEL: [1, 2')).toThrow(/not valid YAML/);
});
