import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type AdamState, type NdArray, ndarray } from '@hrnet/core';
import { writeFileAtomic } from '@hrnet/core/node';
import type { EpochSummary } from './log';

/** First bytes of a checkpoint file. */
const MAGIC = 'HRNET-TRAIN-CHECKPOINT\n';
const VERSION = 1;
const ALIGN = 8;

/** Element types a checkpoint holds: float32 tensors and int64 `num_batches_tracked` counters. */
const STORAGE = { float32: Float32Array, int64: BigInt64Array } as const;
type StoredDType = keyof typeof STORAGE;

/** The best validation result so far (official `best_perf` / `model_best.pth`). */
export interface BestMetric {
  /** `AP` (COCO) or `PCK@0.2`. */
  name: string;
  value: number;
  /** Epoch (0-based) that reached it. */
  epoch: number;
}

/** Everything needed to continue a run exactly where it stopped (official `checkpoint.pth`, plus the RNG). */
export interface TrainingCheckpoint {
  /** Epochs finished: the next epoch to run (official `checkpoint['epoch']`). */
  epoch: number;
  /** The network's state dict: PyTorch names and layouts, running statistics included. */
  model: Map<string, NdArray>;
  /** Adam's step count and moments. */
  optimizer: AdamState;
  /**
   * Randomness: the loader's seed. Shuffle and augmentation are drawn from (seed, epoch, sample), so the seed
   * and the epoch restore them exactly; the initialisation seed only matters before the first checkpoint.
   */
  rng: { seed: number };
  best: BestMetric | null;
  /** Per-epoch summaries so far (for the plot and the log after a resume). */
  history: EpochSummary[];
}

interface TensorIndex {
  name: string;
  dtype: StoredDType;
  shape: number[];
  offset: number;
  byteLength: number;
}

interface Header {
  version: number;
  epoch: number;
  rng: { seed: number };
  best: BestMetric | null;
  history: EpochSummary[];
  optimizerStep: number;
  optimizerTensors: number;
  tensors: TensorIndex[];
  payloadBytes: number;
  sha256: string;
}

const aligned = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/**
 * Serialises a checkpoint into one buffer: the magic line, a little-endian uint32 header length, a JSON header
 * (tensor index, epoch, RNG, best metric, history, SHA-256 of the payload), then the tensors' raw bytes, each
 * aligned to 8 bytes. Adam's moments are stored as `optimizer.exp_avg.<i>` and `optimizer.exp_avg_sq.<i>`
 * (PyTorch's names) in parameter order.
 */
export function encodeCheckpoint(checkpoint: TrainingCheckpoint): Uint8Array {
  const arrays: { name: string; array: NdArray }[] = [...checkpoint.model].map(([name, array]) => ({
    name,
    array,
  }));
  const moments = (data: Float32Array[], kind: string) =>
    data.map((d, i) => ({ name: `optimizer.${kind}.${i}`, array: ndarray('float32', [d.length], d) }));
  arrays.push(...moments(checkpoint.optimizer.firstMoments, 'exp_avg'));
  arrays.push(...moments(checkpoint.optimizer.secondMoments, 'exp_avg_sq'));
  let offset = 0;
  const tensors = arrays.map(({ name, array }): TensorIndex => {
    if (!(array.dtype in STORAGE))
      throw new Error(`checkpoint: ${name} is ${array.dtype}, not float32 or int64`);
    const byteLength = array.data.byteLength;
    const entry = { name, dtype: array.dtype as StoredDType, shape: [...array.shape], offset, byteLength };
    offset = aligned(offset + byteLength);
    return entry;
  });
  const payload = new Uint8Array(offset);
  arrays.forEach(({ array }, i) => {
    const { buffer, byteOffset, byteLength } = array.data;
    payload.set(new Uint8Array(buffer, byteOffset, byteLength), tensors[i]!.offset);
  });
  const header: Header = {
    version: VERSION,
    epoch: checkpoint.epoch,
    rng: checkpoint.rng,
    best: checkpoint.best,
    history: checkpoint.history,
    optimizerStep: checkpoint.optimizer.step,
    optimizerTensors: checkpoint.optimizer.firstMoments.length,
    tensors,
    payloadBytes: payload.byteLength,
    sha256: createHash('sha256').update(payload).digest('hex'),
  };
  const magic = new TextEncoder().encode(MAGIC);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = aligned(magic.length + 4 + json.length);
  const out = new Uint8Array(start + payload.byteLength);
  out.set(magic, 0);
  new DataView(out.buffer).setUint32(magic.length, json.length, true);
  out.set(json, magic.length + 4);
  out.set(payload, start);
  return out;
}

/** Thrown for a file that is not a complete, intact training checkpoint. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/**
 * Parses {@link encodeCheckpoint}'s output, checking the magic, the header and the payload's SHA-256.
 * @param source the file name, named in errors
 */
export function decodeCheckpoint(bytes: Uint8Array, source: string): TrainingCheckpoint {
  const magic = new TextEncoder().encode(MAGIC);
  if (
    bytes.length < magic.length + 4 ||
    new TextDecoder().decode(bytes.subarray(0, magic.length)) !== MAGIC
  ) {
    throw new CheckpointError(`${source}: not an hrnet training checkpoint`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(magic.length, true);
  let header: Header;
  try {
    header = JSON.parse(
      new TextDecoder().decode(bytes.subarray(magic.length + 4, magic.length + 4 + jsonLength)),
    );
  } catch {
    throw new CheckpointError(`${source}: damaged header (truncated file?)`);
  }
  if (header.version !== VERSION) {
    throw new CheckpointError(`${source}: checkpoint version ${header.version}, expected ${VERSION}`);
  }
  const start = aligned(magic.length + 4 + jsonLength);
  const payload = bytes.subarray(start);
  if (payload.byteLength !== header.payloadBytes) {
    throw new CheckpointError(
      `${source}: truncated (payload ${payload.byteLength} bytes, header says ${header.payloadBytes})`,
    );
  }
  if (createHash('sha256').update(payload).digest('hex') !== header.sha256) {
    throw new CheckpointError(`${source}: payload checksum mismatch (damaged file)`);
  }
  const arrays = new Map<string, NdArray>();
  for (const t of header.tensors) {
    const copy = new Uint8Array(payload.subarray(t.offset, t.offset + t.byteLength)); // a copy, aligned
    const Storage = STORAGE[t.dtype];
    const data = new Storage(copy.buffer, 0, t.byteLength / Storage.BYTES_PER_ELEMENT);
    arrays.set(t.name, ndarray(t.dtype, t.shape, data));
  }
  const moments = (kind: string) =>
    Array.from({ length: header.optimizerTensors }, (_, i) => {
      const key = `optimizer.${kind}.${i}`;
      const array = arrays.get(key);
      if (array === undefined) throw new CheckpointError(`${source}: missing ${key}`);
      arrays.delete(key);
      return array.data as Float32Array;
    });
  const firstMoments = moments('exp_avg');
  const secondMoments = moments('exp_avg_sq');
  return {
    epoch: header.epoch,
    model: arrays,
    optimizer: { step: header.optimizerStep, firstMoments, secondMoments },
    rng: header.rng,
    best: header.best,
    history: header.history,
  };
}

/**
 * Writes a checkpoint atomically (temporary file in the same folder, then rename): a crash or a failed write
 * leaves the previous checkpoint as it was.
 */
export async function saveCheckpoint(path: string, checkpoint: TrainingCheckpoint): Promise<void> {
  await writeFileAtomic(path, encodeCheckpoint(checkpoint));
}

/** Reads and verifies a checkpoint written by {@link saveCheckpoint}. */
export async function loadCheckpoint(path: string): Promise<TrainingCheckpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CheckpointError(`--resume: no checkpoint at ${path}`);
    }
    throw error;
  }
  return decodeCheckpoint(bytes, path);
}
