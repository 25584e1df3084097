import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Batch, type BatcherOptions, TopDownBatcher } from './batcher';
import { type CocoKeypoints, type CocoKeypointsOptions, parseCocoKeypoints } from './coco';
import { type CocoDetectionsOptions, cocoImageFileName, parseCocoDetections } from './detections';
import { AnnotationError, ImageReadError } from './errors';
import { decodeImageFile } from './image-node';
import { type MpiiOptions, parseMpii } from './mpii';
import { resolveTopDownConfig, type TopDownConfig, type TopDownSample, topDownSample } from './pipeline';
import { type JointsRecord, joinImagePath } from './record';
import { Rng } from './rng';
import { parseJson } from './validate';
import { SampleWorkerPool } from './worker-pool';

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new AnnotationError(`${file}: cannot read (${(cause as Error).message})`, { cause });
  }
  return parseJson(text, basename(file));
}

/**
 * Reads a COCO keypoints annotation file (`person_keypoints_*.json`); see {@link parseCocoKeypoints}.
 * `imageDir` is the images folder (e.g. `images/val2017`).
 */
export async function loadCocoKeypoints(
  annotationFile: string,
  options: Omit<CocoKeypointsOptions, 'source'> & { readonly imageDir: string },
): Promise<CocoKeypoints> {
  return parseCocoKeypoints(await readJson(annotationFile), { ...options, source: basename(annotationFile) });
}

/**
 * Reads a person detection file (`COCO_val2017_detections_AP_H_56_person.json` layout); see
 * {@link parseCocoDetections}. Images are `imageDir/<file name>`, the file name coming from
 * `images` (e.g. a loaded annotation file's) or, without it, the official `%012d.jpg`.
 */
export async function loadCocoDetections(
  detectionsFile: string,
  options: Omit<CocoDetectionsOptions, 'source' | 'imagePath'> & {
    readonly imageDir: string;
    readonly images?: ReadonlyArray<{ readonly id: number; readonly fileName: string }>;
  },
): Promise<JointsRecord[]> {
  const { imageDir, images, ...rest } = options;
  const names = new Map(images?.map((img) => [img.id, img.fileName]));
  return parseCocoDetections(await readJson(detectionsFile), {
    ...rest,
    source: basename(detectionsFile),
    imagePath: (id) => joinImagePath(imageDir, names.get(id) ?? cocoImageFileName(id)),
  });
}

/** Reads an official HRNet MPII json (`annot/train.json`, `valid.json`); see {@link parseMpii}. */
export async function loadMpii(
  annotationFile: string,
  options: Omit<MpiiOptions, 'source'> & { readonly imageDir: string },
): Promise<JointsRecord[]> {
  return parseMpii(await readJson(annotationFile), { ...options, source: basename(annotationFile) });
}

/** Options of {@link createTopDownLoader}. */
export interface TopDownLoaderOptions extends BatcherOptions {
  /** Worker threads decoding and augmenting; 0 runs everything on the calling thread. Default 2. */
  readonly workers?: number;
  /**
   * Skip samples whose image cannot be read (missing, corrupt) instead of failing the batch; each
   * is counted in {@link TopDownLoader.skipped} and reported to `onSkip`. Default false.
   */
  readonly skipUnreadable?: boolean;
  /** Called for every skipped image. */
  readonly onSkip?: (error: ImageReadError) => void;
}

/** A seeded, shuffling, prefetching batch loader over JPEG files (Node). Call {@link close} when done. */
export class TopDownLoader {
  /** Images skipped so far (with `skipUnreadable`). */
  skipped = 0;
  private readonly batcher: TopDownBatcher;
  private readonly pool: SampleWorkerPool | null;

  constructor(records: readonly JointsRecord[], config: TopDownConfig, options: TopDownLoaderOptions) {
    const resolved = resolveTopDownConfig(config);
    const workers = options.workers ?? 2;
    this.pool = workers > 0 ? new SampleWorkerPool(resolved, workers) : null;
    const pool = this.pool;
    const make = (record: JointsRecord, seeds: readonly [number, number, number]): Promise<TopDownSample> =>
      pool
        ? pool.sample(record, seeds)
        : decodeImageFile(record.image).then((image) =>
            topDownSample(record, image, resolved, new Rng(...seeds)),
          );
    const sampleFn = async (record: JointsRecord, seeds: readonly [number, number, number]) => {
      try {
        return await make(record, seeds);
      } catch (error) {
        if (!(options.skipUnreadable && error instanceof ImageReadError)) throw error;
        this.skipped++;
        options.onSkip?.(error);
        return null;
      }
    };
    this.batcher = new TopDownBatcher(records, sampleFn, resolved, options);
  }

  /** Batches per epoch. */
  get batchesPerEpoch(): number {
    return this.batcher.batchesPerEpoch;
  }

  /** The batches of one epoch (shuffled per epoch when training). */
  epoch(epoch = 0): AsyncGenerator<Batch> {
    return this.batcher.epoch(epoch);
  }

  /** Stops the worker threads. */
  close(): Promise<void> {
    return this.pool?.close() ?? Promise.resolve();
  }
}

/** Creates a {@link TopDownLoader}. */
export function createTopDownLoader(
  records: readonly JointsRecord[],
  config: TopDownConfig,
  options: TopDownLoaderOptions,
): TopDownLoader {
  return new TopDownLoader(records, config, options);
}
