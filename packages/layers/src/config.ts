import { parse as parseYaml } from 'yaml';

/** Residual unit used inside a stage: the paper's BasicBlock (two 3x3 convs) or Bottleneck (1x1-3x3-1x1, x4). */
export type BlockType = 'BASIC' | 'BOTTLENECK';

/** One stage of the network (official `MODEL.EXTRA.STAGEn`): `numModules` high-resolution modules in sequence. */
export interface StageConfig {
  numModules: number;
  numBranches: number;
  block: BlockType;
  /** Residual units per branch. */
  numBlocks: number[];
  /** Width of each branch, high resolution first. */
  numChannels: number[];
  fuseMethod: 'SUM';
}

/** A `PoseHighResolutionNet` configuration, the typed form of the official YAML `MODEL` section. */
export interface HRNetConfig {
  numJoints: number;
  /** Kernel of the final heatmap conv: 1 (official configs) or 3 (padding 1). */
  finalConvKernel: 1 | 3;
  stage2: StageConfig;
  stage3: StageConfig;
  stage4: StageConfig;
  /** Network input size as [width, height] (official `IMAGE_SIZE`). */
  imageSize: [number, number];
  /** Heatmap size as [width, height] (official `HEATMAP_SIZE`). */
  heatmapSize: [number, number];
  /**
   * Exchange unit (not in the official code; absent means `sum`): `sum` is the paper's `Y_k = sum_i a(X_i, k)`;
   * `attention` weighs the incoming streams by learned, input-dependent weights (see `AttentionExchange`).
   * YAML: `MODEL.EXTRA.EXCHANGE`.
   */
  exchange?: ExchangeMethod;
  /**
   * Heatmap head (not in the official code; absent means `high-resolution`): `high-resolution` is the official
   * conv on the highest-resolution stream; `multi-scale` predicts heatmaps from every stream and sums them
   * upsampled (see `MultiScaleHead`). YAML: `MODEL.EXTRA.HEAD`.
   */
  head?: HeadType;
}

/** How the exchange unit combines the incoming streams. */
export type ExchangeMethod = 'sum' | 'attention';

/** Where the heatmaps are predicted from. */
export type HeadType = 'high-resolution' | 'multi-scale';

/** Thrown for a configuration that is malformed or describes a network the official code would not build. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Yamlish = Record<string, unknown>;

function field(obj: Yamlish, key: string, where: string): unknown {
  const value = obj[key];
  if (value === undefined) throw new ConfigError(`${where}: missing ${key}`);
  return value;
}

function positiveInt(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`${where}: expected a positive integer, got ${JSON.stringify(value)}`);
  }
  return value;
}

function intList(value: unknown, length: number, where: string): number[] {
  if (!Array.isArray(value) || value.length !== length) {
    throw new ConfigError(
      `${where}: expected a list of ${length} positive integers, got ${JSON.stringify(value)}`,
    );
  }
  return value.map((v, i) => positiveInt(v, `${where}[${i}]`));
}

function pair(value: unknown, where: string): [number, number] {
  const [w, h] = intList(value, 2, where);
  return [w!, h!];
}

function parseStage(raw: unknown, expectedBranches: number, where: string): StageConfig {
  if (typeof raw !== 'object' || raw === null) throw new ConfigError(`${where}: expected a mapping`);
  const stage = raw as Yamlish;
  const numBranches = positiveInt(field(stage, 'NUM_BRANCHES', where), `${where}.NUM_BRANCHES`);
  if (numBranches !== expectedBranches) {
    throw new ConfigError(
      `${where}.NUM_BRANCHES: HRNet's ${where} has ${expectedBranches} branches, got ${numBranches}`,
    );
  }
  const block = field(stage, 'BLOCK', where);
  if (block !== 'BASIC' && block !== 'BOTTLENECK') {
    throw new ConfigError(`${where}.BLOCK: expected BASIC or BOTTLENECK, got ${JSON.stringify(block)}`);
  }
  const fuseMethod = stage.FUSE_METHOD ?? 'SUM';
  if (fuseMethod !== 'SUM')
    throw new ConfigError(`${where}.FUSE_METHOD: only SUM exists, got ${JSON.stringify(fuseMethod)}`);
  return {
    numModules: positiveInt(field(stage, 'NUM_MODULES', where), `${where}.NUM_MODULES`),
    numBranches,
    block,
    numBlocks: intList(field(stage, 'NUM_BLOCKS', where), numBranches, `${where}.NUM_BLOCKS`),
    numChannels: intList(field(stage, 'NUM_CHANNELS', where), numBranches, `${where}.NUM_CHANNELS`),
    fuseMethod,
  };
}

/**
 * Reads a configuration in the official layout: a whole experiment config (`{MODEL: {...}, DATASET: ...}`)
 * or its `MODEL` section, with `NUM_JOINTS`, `IMAGE_SIZE`, `HEATMAP_SIZE` and `EXTRA.STAGE2..4`.
 */
export function hrnetConfigFromOfficial(official: unknown): HRNetConfig {
  if (typeof official !== 'object' || official === null) throw new ConfigError('config: expected a mapping');
  const root = official as Yamlish;
  const model = (typeof root.MODEL === 'object' && root.MODEL !== null ? root.MODEL : root) as Yamlish;
  const name = model.NAME;
  if (name !== undefined && name !== 'pose_hrnet') {
    throw new ConfigError(`MODEL.NAME: expected pose_hrnet, got ${JSON.stringify(name)}`);
  }
  const extra = field(model, 'EXTRA', 'MODEL') as Yamlish;
  const finalConvKernel = extra.FINAL_CONV_KERNEL ?? 1;
  if (finalConvKernel !== 1 && finalConvKernel !== 3) {
    throw new ConfigError(
      `MODEL.EXTRA.FINAL_CONV_KERNEL: expected 1 or 3, got ${JSON.stringify(finalConvKernel)}`,
    );
  }
  const config: HRNetConfig = {
    numJoints: positiveInt(field(model, 'NUM_JOINTS', 'MODEL'), 'MODEL.NUM_JOINTS'),
    finalConvKernel,
    stage2: parseStage(field(extra, 'STAGE2', 'MODEL.EXTRA'), 2, 'STAGE2'),
    stage3: parseStage(field(extra, 'STAGE3', 'MODEL.EXTRA'), 3, 'STAGE3'),
    stage4: parseStage(field(extra, 'STAGE4', 'MODEL.EXTRA'), 4, 'STAGE4'),
    imageSize: pair(field(model, 'IMAGE_SIZE', 'MODEL'), 'MODEL.IMAGE_SIZE'),
    heatmapSize: pair(field(model, 'HEATMAP_SIZE', 'MODEL'), 'MODEL.HEATMAP_SIZE'),
  };
  const exchange = extra.EXCHANGE;
  if (exchange !== undefined) {
    if (exchange !== 'sum' && exchange !== 'attention') {
      throw new ConfigError(
        `MODEL.EXTRA.EXCHANGE: expected sum or attention, got ${JSON.stringify(exchange)}`,
      );
    }
    config.exchange = exchange;
  }
  const head = extra.HEAD;
  if (head !== undefined) {
    if (head !== 'high-resolution' && head !== 'multi-scale') {
      throw new ConfigError(
        `MODEL.EXTRA.HEAD: expected high-resolution or multi-scale, got ${JSON.stringify(head)}`,
      );
    }
    config.head = head;
  }
  return config;
}

/** Parses an official HRNet YAML config (e.g. `w32_256x192_adam_lr1e-3.yaml`) into an {@link HRNetConfig}. */
export function parseHRNetConfigYaml(text: string): HRNetConfig {
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config: not valid YAML (${(error as Error).message})`);
  }
  return hrnetConfigFromOfficial(parsed);
}

function hrnetStages(width: number): Pick<HRNetConfig, 'stage2' | 'stage3' | 'stage4'> {
  const stage = (numModules: number, numBranches: number): StageConfig => ({
    numModules,
    numBranches,
    block: 'BASIC',
    numBlocks: Array(numBranches).fill(4),
    numChannels: Array.from({ length: numBranches }, (_, i) => width * 2 ** i),
    fuseMethod: 'SUM',
  });
  return { stage2: stage(1, 2), stage3: stage(4, 3), stage4: stage(3, 4) };
}

function preset(width: number, numJoints: number, imageSize: [number, number]): HRNetConfig {
  return {
    numJoints,
    finalConvKernel: 1,
    ...hrnetStages(width),
    imageSize,
    heatmapSize: [imageSize[0] / 4, imageSize[1] / 4],
  };
}

/** The official configurations (experiments/coco/hrnet, experiments/mpii/hrnet), by name. */
export const HRNET_PRESETS = {
  'w32-coco-256x192': preset(32, 17, [192, 256]),
  'w32-coco-384x288': preset(32, 17, [288, 384]),
  'w48-coco-256x192': preset(48, 17, [192, 256]),
  'w48-coco-384x288': preset(48, 17, [288, 384]),
  'w32-mpii-256x256': preset(32, 16, [256, 256]),
  'w48-mpii-256x256': preset(48, 16, [256, 256]),
} as const satisfies Record<string, HRNetConfig>;

/** Name of an official configuration in {@link HRNET_PRESETS}. */
export type HRNetPresetName = keyof typeof HRNET_PRESETS;

/** Returns a copy of a preset, or throws naming the presets that exist. */
export function hrnetPreset(name: string): HRNetConfig {
  const config = (HRNET_PRESETS as Record<string, HRNetConfig>)[name];
  if (config === undefined) {
    throw new ConfigError(
      `unknown preset '${name}'; expected one of ${Object.keys(HRNET_PRESETS).join(', ')}`,
    );
  }
  return structuredClone(config);
}
