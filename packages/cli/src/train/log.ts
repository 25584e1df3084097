import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** One optimisation step, as logged. */
export interface StepRecord {
  type: 'step';
  epoch: number;
  /** Step within the epoch (0-based). */
  step: number;
  /** Steps in the epoch. */
  steps: number;
  loss: number;
  lr: number;
  /** Samples in the batch. */
  batchSize: number;
  /** Training throughput of this step (data loading included). */
  imagesPerSecond: number;
}

/** One finished epoch, as logged, checkpointed and plotted. */
export interface EpochSummary {
  type: 'epoch';
  epoch: number;
  lr: number;
  /** Mean training loss over the epoch's steps. */
  loss: number;
  /** Validation metrics: `AP`, `AP .5`, ... (COCO) and `PCK@0.2`; absent keys were not computed. */
  metrics: Record<string, number>;
  /** Seconds spent training and validating this epoch. */
  seconds: number;
}

/**
 * Appends one JSON object per line to a log file (`train.jsonl`): every step and every epoch. Appends are
 * synchronous, so the log is complete up to the last finished step even if the process is killed.
 */
export class JsonlLog {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  write(record: StepRecord | EpochSummary | Record<string, unknown>): void {
    appendFileSync(this.path, `${JSON.stringify(record)}\n`);
  }
}
