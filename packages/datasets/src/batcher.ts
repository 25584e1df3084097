import { DatasetError } from './errors';
import type { ResolvedTopDownConfig, SampleMeta, TopDownSample } from './pipeline';
import type { JointsRecord } from './record';
import { Rng } from './rng';

/**
 * Produces one sample; `seeds` (`[seed, epoch, index]`) seed its {@link Rng}, so a sample's
 * augmentation does not depend on which thread makes it. `null` means "skipped" (unreadable image
 * with skipping on).
 */
export type SampleFn = (
  record: JointsRecord,
  seeds: readonly [number, number, number],
) => Promise<TopDownSample | null>;

/** Options of {@link TopDownBatcher}. */
export interface BatcherOptions {
  /** Samples per batch. */
  readonly batchSize: number;
  /** Shuffle the records each epoch (seeded by `seed` and the epoch). Default: `config.train`. */
  readonly shuffle?: boolean;
  /** Seed of the shuffle and of every sample's augmentation. Default 0. */
  readonly seed?: number;
  /** Batches requested ahead of the one being consumed. Default 2. */
  readonly prefetch?: number;
  /** Drop the last incomplete batch. Default: `config.train`. */
  readonly dropLast?: boolean;
}

/**
 * A batch: images `[N, H, W, 3]` (NHWC float32), targets `[N, K, h, w]` (`NCHW`) or `[N, h, w, K]`
 * (`NHWC`), target weights `[N, K]`, and per-sample meta. `N` is smaller than the batch size for the
 * last batch, or when samples were skipped.
 */
export interface Batch {
  readonly size: number;
  readonly images: Float32Array;
  readonly imageShape: readonly [number, number, number, number];
  readonly targets: Float32Array;
  readonly targetShape: readonly [number, number, number, number];
  readonly targetWeights: Float32Array;
  readonly meta: SampleMeta[];
  /** Record indices (into the loader's records) of the samples, in batch order. */
  readonly indices: number[];
}

/** Shuffling, batching and prefetching over a {@link SampleFn} (in-thread or a worker pool). */
export class TopDownBatcher {
  private readonly batchSize: number;
  private readonly shuffle: boolean;
  private readonly seed: number;
  private readonly prefetch: number;
  private readonly dropLast: boolean;

  constructor(
    readonly records: readonly JointsRecord[],
    private readonly sampleFn: SampleFn,
    private readonly config: ResolvedTopDownConfig,
    options: BatcherOptions,
  ) {
    if (!(Number.isInteger(options.batchSize) && options.batchSize > 0)) {
      throw new DatasetError(`batchSize must be a positive integer, got ${options.batchSize}`);
    }
    this.batchSize = options.batchSize;
    this.shuffle = options.shuffle ?? config.train;
    this.seed = options.seed ?? 0;
    this.prefetch = Math.max(0, options.prefetch ?? 2);
    this.dropLast = options.dropLast ?? config.train;
  }

  /** Batches in one epoch. */
  get batchesPerEpoch(): number {
    const n = this.records.length / this.batchSize;
    return this.dropLast ? Math.floor(n) : Math.ceil(n);
  }

  /** The record order of an epoch (a seeded shuffle, or file order). */
  order(epoch: number): number[] {
    const order = this.records.map((_, i) => i);
    return this.shuffle ? new Rng(this.seed, epoch, 0x5eed).shuffle(order) : order;
  }

  /** The batches of epoch `epoch`, in order, with up to `prefetch` batches prepared ahead. */
  async *epoch(epoch = 0): AsyncGenerator<Batch> {
    const order = this.order(epoch);
    const count = this.batchesPerEpoch;
    const pending: Promise<Batch>[] = [];
    let next = 0;
    const start = (): void => {
      const indices = order.slice(next * this.batchSize, (next + 1) * this.batchSize);
      const batch = this.makeBatch(indices, epoch);
      batch.catch(() => undefined); // rejections surface when this batch is awaited
      pending.push(batch);
      next++;
    };
    while (next < count && pending.length <= this.prefetch) start();
    while (pending.length > 0) {
      const batch = await (pending.shift() as Promise<Batch>);
      if (next < count) start();
      yield batch;
    }
  }

  private async makeBatch(indices: number[], epoch: number): Promise<Batch> {
    const samples = await Promise.all(
      indices.map((i) => this.sampleFn(this.records[i] as JointsRecord, [this.seed, epoch, i])),
    );
    const kept: number[] = [];
    const ok: TopDownSample[] = [];
    samples.forEach((s, j) => {
      if (s) {
        ok.push(s);
        kept.push(indices[j] as number);
      }
    });
    return assembleBatch(ok, kept, this.config);
  }
}

/** Stacks samples into one {@link Batch}. */
export function assembleBatch(
  samples: TopDownSample[],
  indices: number[],
  config: ResolvedTopDownConfig,
): Batch {
  const [w, h] = config.imageSize;
  const [hw, hh] = config.heatmapSize;
  const n = samples.length;
  const k = samples[0]?.targetWeight.length ?? 0;
  const imageSize = h * w * 3;
  const targetSize = k * hh * hw;
  const images = new Float32Array(n * imageSize);
  const targets = new Float32Array(n * targetSize);
  const targetWeights = new Float32Array(n * k);
  samples.forEach((s, i) => {
    images.set(s.image, i * imageSize);
    targets.set(s.target, i * targetSize);
    targetWeights.set(s.targetWeight, i * k);
  });
  return {
    size: n,
    images,
    imageShape: [n, h, w, 3],
    targets,
    targetShape: config.targetLayout === 'NCHW' ? [n, k, hh, hw] : [n, hh, hw, k],
    targetWeights,
    meta: samples.map((s) => s.meta),
    indices,
  };
}
