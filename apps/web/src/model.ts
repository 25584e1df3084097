import {
  fetchCardWeights,
  IndexedDbWeightsCache,
  type ModelCard,
  networkFromFiles,
  PoseEstimator,
  verifyWeightFile,
  type WeightsStore,
} from '@hrnet/models-zoo';

/**
 * A read-only weights mirror over HTTP: key `<family>/<file>` is fetched from `<base><family>/<file>`, e.g.
 * `/models/pp-tinypose/tinypose_256x192.bin` served from the shared models folder.
 */
export class HttpWeightsStore implements WeightsStore {
  constructor(private readonly base: URL) {}

  describe(key: string): string {
    return new URL(key, this.base).href;
  }

  async has(key: string): Promise<boolean> {
    const response = await fetch(this.describe(key), { method: 'HEAD' }).catch(() => undefined);
    return response?.ok === true;
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    const response = await fetch(this.describe(key));
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`${this.describe(key)}: HTTP ${response.status}`);
    return new Uint8Array(await response.arrayBuffer());
  }
}

/** The weight files of a card by published file name, and where they came from (for the status line). */
export interface LoadedWeights {
  readonly card: ModelCard;
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly origin: string;
}

/**
 * A card's weights from the page's `models/` folder (the local mirror), else from the IndexedDB cache or the
 * card's download URL; every file is checked against the card's SHA-256.
 */
export async function loadServedWeights(card: ModelCard): Promise<LoadedWeights> {
  const mirror = new HttpWeightsStore(new URL('models/', document.baseURI));
  const files = await fetchCardWeights(card, { cache: new IndexedDbWeightsCache(), mirror });
  return { card, files, origin: mirror.describe(card.family) };
}

/**
 * Weight files chosen by the user: the card is the one among `cards` whose published file names are all
 * chosen, else `fallback` (an HRNet card takes any one checkpoint). Files with a published checksum are
 * verified.
 */
export async function loadChosenWeights(
  chosen: FileList,
  cards: readonly ModelCard[],
  fallback: ModelCard,
): Promise<LoadedWeights> {
  const files = new Map<string, Uint8Array>();
  for (const file of chosen) files.set(file.name, new Uint8Array(await file.arrayBuffer()));
  const card =
    cards.find((c) => c.weights.some((source) => source.files.every((f) => files.has(f.fileName)))) ??
    fallback;
  for (const source of card.weights) {
    for (const file of source.files) {
      const bytes = files.get(file.fileName);
      if (bytes !== undefined) await verifyWeightFile(file, bytes, file.fileName);
    }
  }
  return { card, files, origin: [...files.keys()].join(', ') };
}

/** Builds the network of loaded weights on the active backend. */
export function createEstimator({ card, files }: LoadedWeights): PoseEstimator {
  return new PoseEstimator(card, networkFromFiles(card, files));
}
