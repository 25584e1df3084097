import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readStateDictFile } from '@hrnet/core/node';
import { isHRNetConfig, type ModelCard, type WeightSource, type WeightSourceName } from '../../zoo/cards';
import type { DownloadProgress } from '../download';
import { locateCardWeights, type WeightFileOrigin } from '../resolve';
import { saveConvertedCheckpoint } from './converted-dir';
import { FileWeightsStore } from './file-store';

/** Options of {@link resolveWeights}. */
export interface ResolveWeightsOptions {
  /** Cache folder; default `HRNET_CACHE`, else `~/.cache/hrnet`. */
  readonly cacheDir?: string;
  /** Local mirror laid out as `<dir>/<family>/<file name>`; default `HRNET_WEIGHTS_DIR` (none if unset). */
  readonly weightsDir?: string;
  /** The `fetch` to download with; default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  readonly onProgress?: (progress: DownloadProgress) => void;
  /** Only this weight source of the card (e.g. `official`); default: the card's sources in order. */
  readonly source?: WeightSourceName;
  /** Convert HRNet checkpoints to float16 tfjs weights instead of float32. */
  readonly float16?: boolean;
}

/** A card's weights on disk. */
export interface ResolvedWeights {
  readonly card: ModelCard;
  readonly source: WeightSource;
  readonly files: readonly { fileName: string; path: string; origin: WeightFileOrigin }[];
  /** HRNet cards: the converted tfjs weights folder in the cache (see `loadConvertedCheckpoint`). */
  readonly tfjsDir?: string;
}

/** `HRNET_CACHE`, else `~/.cache/hrnet`. */
export function defaultCacheDir(): string {
  return process.env.HRNET_CACHE || join(homedir(), '.cache', 'hrnet');
}

/**
 * Makes a card's weights available on disk: from the cache, else the local mirror, else by download (SHA-256
 * checked, written to the cache atomically); see `locateCardWeights`. HRNet checkpoints are then converted
 * once to a tfjs weights folder cached beside them (`<cache>/hrnet/<file>.tfjs`, or `.float16.tfjs`).
 * Never falls back to random weights: when nothing can be found it throws a `WeightsUnavailableError` saying
 * what to download and where to place it.
 */
export async function resolveWeights(
  card: ModelCard,
  options: ResolveWeightsOptions = {},
): Promise<ResolvedWeights> {
  const cache = new FileWeightsStore(options.cacheDir ?? defaultCacheDir());
  const mirrorDir = options.weightsDir ?? (process.env.HRNET_WEIGHTS_DIR || undefined);
  const mirror = mirrorDir === undefined ? undefined : new FileWeightsStore(mirrorDir);
  const located = await locateCardWeights(card, {
    cache,
    ...(mirror ? { mirror } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.source ? { source: options.source } : {}),
    placementHint: (key) => (mirror ? mirror.path(key) : `$HRNET_WEIGHTS_DIR/${key}`),
  });
  const files = located.files.map(({ file, key, origin }) => ({
    fileName: file.fileName,
    path: (origin === 'mirror' ? mirror! : cache).path(key),
    origin,
  }));
  if (!isHRNetConfig(card.config)) return { card, source: located.source, files };

  const checkpoint = files[0]!;
  const suffix = options.float16 ? '.float16.tfjs' : '.tfjs';
  const tfjsDir = cache.path(`${card.family}/${checkpoint.fileName}${suffix}`);
  if (!existsSync(join(tfjsDir, 'model.json'))) {
    await saveConvertedCheckpoint(tfjsDir, await readStateDictFile(checkpoint.path), card.config, {
      checkpoint: checkpoint.fileName,
      modelId: card.id,
      ...(options.float16 ? { float16: true } : {}),
    });
  }
  return { card, source: located.source, files, tfjsDir };
}
