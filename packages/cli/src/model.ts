import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readStateDictFile } from '@hrnet/core/node';
import { HRNET_PRESETS, type HRNetConfig, hrnetPreset, parseHRNetConfigYaml } from '@hrnet/layers';
import {
  type DownloadProgress,
  type EstimatorModel,
  getModelCard,
  type HeatmapNetwork,
  hrnetNetwork,
  IMAGENET_NORMALIZATION,
  type InferenceRuntime,
  listModelCards,
  networkForRuntime,
  type PoseNetwork,
} from '@hrnet/models-zoo';
import { loadConvertedCheckpoint, loadZooNetwork } from '@hrnet/models-zoo/node';
import { UsageError } from './errors';

/** A network ready to run, with what the estimator needs to know of it. */
export interface LoadedModel {
  readonly model: EstimatorModel;
  readonly network: HeatmapNetwork;
}

/** `--config`: a preset name (`w32-coco-256x192`) or the path of an official YAML config. */
export function resolveConfig(config: string): HRNetConfig {
  if (config in HRNET_PRESETS) return hrnetPreset(config);
  if (!existsSync(config)) {
    throw new UsageError(
      `--config ${config}: no such file and not a preset (presets: ${Object.keys(HRNET_PRESETS).join(', ')})`,
    );
  }
  return parseHRNetConfigYaml(readFileSync(config, 'utf8'));
}

/** An HRNet trained as the official code does: ImageNet normalisation, COCO (17) or MPII (16) keypoints. */
function hrnetModel(id: string, config: HRNetConfig): EstimatorModel {
  const keypointSet = config.numJoints === 16 ? 'mpii' : 'coco';
  if (config.numJoints !== 16 && config.numJoints !== 17) {
    throw new UsageError(`${id}: ${config.numJoints} keypoints is neither COCO (17) nor MPII (16)`);
  }
  return { id, inputSize: config.imageSize, normalization: IMAGENET_NORMALIZATION, keypointSet };
}

/** `--config` + `--weights`: an official config and a PyTorch checkpoint (official or MMPose keys). */
export async function loadCheckpoint(config: HRNetConfig, weights: string): Promise<LoadedModel> {
  if (!existsSync(weights)) throw new UsageError(`--weights ${weights}: no such file`);
  return {
    model: hrnetModel(weights, config),
    network: hrnetNetwork(config, await readStateDictFile(weights)),
  };
}

/**
 * Reports download progress on stderr: a bar redrawn in place on a terminal, nothing otherwise (logs and
 * pipes stay clean).
 */
export function downloadProgressBar(stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return undefined;
  return ({ fileName, receivedBytes, totalBytes }: DownloadProgress) => {
    const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
    const width = 30;
    const line =
      totalBytes === undefined
        ? `${fileName} ${mib(receivedBytes)} MiB`
        : `${fileName} [${'#'.repeat(Math.round((receivedBytes / totalBytes) * width)).padEnd(width)}] ` +
          `${mib(receivedBytes)}/${mib(totalBytes)} MiB`;
    stream.write(`\r${line}${receivedBytes === totalBytes ? '\n' : ''}`);
  };
}

/**
 * `--model`: a folder written by `hrnet convert` (model.json with the HRNet config in its metadata), or a
 * model zoo id whose weights are found in the cache or `HRNET_WEIGHTS_DIR`, or downloaded.
 */
export async function loadModel(model: string): Promise<LoadedModel> {
  if (existsSync(model) && statSync(model).isDirectory()) {
    if (!existsSync(join(model, 'model.json'))) {
      throw new UsageError(
        `--model ${model}: folder has no model.json (convert a checkpoint with 'hrnet convert')`,
      );
    }
    const { config, stateDict } = await loadConvertedCheckpoint(model);
    return { model: hrnetModel(model, config), network: hrnetNetwork(config, stateDict) };
  }
  if (!listModelCards().some((card) => card.id === model)) {
    const ids = listModelCards().map((card) => card.id);
    throw new UsageError(
      `--model ${model}: not a converted model folder nor a model zoo id (${ids.join(', ')})`,
    );
  }
  const card = getModelCard(model);
  const onProgress = downloadProgressBar();
  return { model: card, network: await loadZooNetwork(card, onProgress ? { onProgress } : {}) };
}

/** A loaded model on the runtime chosen with `--runtime`. */
export interface RuntimeModel {
  readonly model: EstimatorModel;
  readonly network: PoseNetwork;
}

/** `--runtime`: the loaded network as is (tfjs) or exported and opened with onnxruntime-node (onnx). */
export async function withRuntime(loaded: LoadedModel, runtime: InferenceRuntime): Promise<RuntimeModel> {
  const network = await networkForRuntime(loaded.network, { runtime }, 'onnxruntime-node');
  return { model: loaded.model, network };
}

/** `--model`, or `--config` with `--weights`: exactly one of the two ways to name a network. */
export async function loadModelOptions(values: {
  model?: string | undefined;
  config?: string | undefined;
  weights?: string | undefined;
}): Promise<LoadedModel> {
  if (values.model !== undefined) {
    if (values.config !== undefined || values.weights !== undefined) {
      throw new UsageError('--model replaces --config and --weights; give one or the other');
    }
    return loadModel(values.model);
  }
  if (values.config === undefined || values.weights === undefined) {
    throw new UsageError(
      'give --model <zoo id|converted dir>, or --config <yaml|preset> with --weights <.pth>',
    );
  }
  return loadCheckpoint(resolveConfig(values.config), values.weights);
}
