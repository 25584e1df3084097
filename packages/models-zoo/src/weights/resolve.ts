import type { ModelCard, WeightFile, WeightSource, WeightSourceName } from '../zoo/cards';
import { verifyWeightFile } from './checksum';
import { type DownloadOptions, downloadWeightFile } from './download';
import { ChecksumMismatchError, WeightsUnavailableError } from './errors';
import { type WeightsCache, type WeightsStore, weightsKey } from './storage';

/** Where a resolved file was found: already cached, in the local mirror, or freshly downloaded (now cached). */
export type WeightFileOrigin = 'cache' | 'mirror' | 'download';

/** One file of a card's weights and where its verified bytes now are. */
export interface LocatedWeightFile {
  readonly file: WeightFile;
  /** `<family>/<file name>`: its key in `cache` (origin cache/download) or in `mirror` (origin mirror). */
  readonly key: string;
  readonly origin: WeightFileOrigin;
}

/** Result of {@link locateCardWeights}. */
export interface LocatedWeights {
  readonly source: WeightSource;
  readonly files: readonly LocatedWeightFile[];
}

/** Options of {@link locateCardWeights}. */
export interface LocateWeightsOptions extends DownloadOptions {
  readonly cache: WeightsCache;
  /** A read-only folder (or other store) of published files laid out as `<family>/<file name>`. */
  readonly mirror?: WeightsStore;
  /** Only this weight source of the card; default: the card's sources in order. */
  readonly source?: WeightSourceName;
  /** How to tell the user where to put a file by hand; default: the mirror's location, or `<mirror>/<key>`. */
  readonly placementHint?: (key: string) => string;
}

function sourcesOf(card: ModelCard, name: WeightSourceName | undefined): readonly WeightSource[] {
  if (name === undefined) return card.weights;
  const sources = card.weights.filter((s) => s.name === name);
  if (sources.length === 0) {
    throw new Error(
      `${card.id}: no '${name}' weights; sources: ${card.weights.map((s) => s.name).join(', ')}`,
    );
  }
  return sources;
}

/** The mirror's copy if it passes its checksum; a corrupt mirror file is an error, never silently skipped. */
async function inMirror(mirror: WeightsStore | undefined, file: WeightFile, key: string): Promise<boolean> {
  if (mirror === undefined || !(await mirror.has(key))) return false;
  const bytes = await mirror.read(key);
  if (bytes === undefined) return false;
  await verifyWeightFile(file, bytes, mirror.describe(key));
  return true;
}

/**
 * Finds a card's weights without touching the network if possible, else downloads them: first a source whose
 * files are all cached, then one whose files are all cached or in the mirror (checked against the published
 * SHA-256), then the first source with download URLs, whose missing files are fetched, verified and written
 * to the cache. A file is cached only after it passed its checksum, so an interrupted or corrupted download
 * leaves no cache entry. Shared by Node (file-system stores) and browsers (IndexedDB cache).
 *
 * @throws WeightsUnavailableError saying what to download and where to place it when nothing local fits and
 *   the download fails (offline, HTTP error, interrupted transfer) or no URL is published
 * @throws ChecksumMismatchError for a download or mirror file whose SHA-256 differs from the card's
 */
export async function locateCardWeights(
  card: ModelCard,
  options: LocateWeightsOptions,
): Promise<LocatedWeights> {
  const { cache, mirror } = options;
  const sources = sourcesOf(card, options.source);
  const keyOf = (file: WeightFile) => weightsKey(card.family, file.fileName);

  for (const source of sources) {
    const cached = await Promise.all(source.files.map((f) => cache.has(keyOf(f))));
    if (cached.every(Boolean)) {
      return { source, files: source.files.map((file) => ({ file, key: keyOf(file), origin: 'cache' })) };
    }
  }
  for (const source of sources) {
    const files: LocatedWeightFile[] = [];
    for (const file of source.files) {
      const key = keyOf(file);
      if (await cache.has(key)) files.push({ file, key, origin: 'cache' });
      else if (await inMirror(mirror, file, key)) files.push({ file, key, origin: 'mirror' });
      else break;
    }
    if (files.length === source.files.length) return { source, files };
  }

  const placement =
    options.placementHint ?? ((key: string) => (mirror ? mirror.describe(key) : `<weights mirror>/${key}`));
  const downloadable = sources.find((s) => s.files.every((f) => f.url !== undefined));
  if (downloadable === undefined) {
    const wanted = sources[0]!.files.map((f) => `${f.fileName} at ${placement(keyOf(f))}`).join(' and ');
    throw new WeightsUnavailableError(
      `${card.id}: weights not found in the cache or the mirror and no download URL is published ` +
        `(${sources[0]!.description}); place ${wanted}`,
    );
  }
  const files: LocatedWeightFile[] = [];
  for (const file of downloadable.files) {
    const key = keyOf(file);
    if (await cache.has(key)) {
      files.push({ file, key, origin: 'cache' });
      continue;
    }
    const url = file.url!;
    let bytes: Uint8Array;
    try {
      bytes = await downloadWeightFile({ ...file, url }, options);
    } catch (error) {
      if (error instanceof ChecksumMismatchError) throw error;
      const reason = error instanceof Error ? describeFailure(error) : String(error);
      throw new WeightsUnavailableError(
        `${card.id}: ${file.fileName} is not cached or mirrored and downloading it failed (${reason}); ` +
          `download ${url} and place it at ${placement(key)}`,
        { cause: error },
      );
    }
    await cache.write(key, bytes);
    files.push({ file, key, origin: 'download' });
  }
  return { source: downloadable, files };
}

/** The error's message with its cause (`fetch failed: connect ECONNREFUSED ...`). */
function describeFailure(error: Error): string {
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/**
 * Browser-friendly form of {@link locateCardWeights}: the verified bytes of each file of the card's weights,
 * by file name (read back from the cache or the mirror).
 */
export async function fetchCardWeights(
  card: ModelCard,
  options: LocateWeightsOptions,
): Promise<Map<string, Uint8Array>> {
  const located = await locateCardWeights(card, options);
  const out = new Map<string, Uint8Array>();
  for (const { file, key, origin } of located.files) {
    const store = origin === 'mirror' ? options.mirror! : options.cache;
    const bytes = await store.read(key);
    if (bytes === undefined) throw new Error(`${store.describe(key)} disappeared while loading ${card.id}`);
    out.set(file.fileName, bytes);
  }
  return out;
}
