import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type NdArray, registerGradients } from '@hrnet/core';
import { writeFileAtomic } from '@hrnet/core/node';
import type { TopDownLoader } from '@hrnet/datasets/node';
import { loadStateDict, stateDict } from '@hrnet/layers';
import { UsageError } from '../errors';
import { type BestMetric, loadCheckpoint, saveCheckpoint, type TrainingCheckpoint } from './checkpoint';
import { loadTrainingData, trainLoader, valLoader } from './data';
import type { Experiment } from './experiment';
import { exportWeights } from './export';
import { type EpochSummary, JsonlLog, type StepRecord } from './log';
import { multiStepLr } from './lr-schedule';
import { renderTrainingPlot } from './plot';
import { ProgressBar } from './progress';
import { createSession, disposeSession, type TrainingSession, trainingStep } from './session';
import { validate } from './validate';

/** Files a run writes in its output folder. */
export const OUTPUT_FILES = {
  /** The resumable checkpoint, rewritten atomically after every epoch. */
  checkpoint: 'checkpoint.ckpt',
  /** One JSON line per step and per epoch. */
  log: 'train.jsonl',
  /** Loss and validation curves, redrawn after every epoch. */
  plot: 'curves.png',
  /** tfjs weights folder of the best epoch so far (official `model_best.pth`). */
  best: 'model_best',
  /** tfjs weights folder of the last epoch (official `final_state.pth`). */
  final: 'final_state',
} as const;

/** Options of {@link train}. */
export interface TrainOptions {
  experiment: Experiment;
  /** Output folder (created if needed). */
  outDir: string;
  /** Continue from `outDir/checkpoint.ckpt`. Without it, an existing checkpoint there is an error. */
  resume?: boolean;
  /** Seed of the initialisation, the shuffle and the augmentation. Default 0. */
  seed?: number;
  /** Loader worker threads. Default 2. */
  workers?: number;
  /** Training augmentation (half-body, scale, rotation, flip). Default true; off for overfit checks. */
  augment?: boolean;
  /** Use only the first N samples of each split (smoke tests). */
  subset?: number;
  /** Progress bar on stderr when it is a terminal. Default true. */
  progress?: boolean;
}

/** Callbacks of {@link train}; an error thrown from one stops training as a crash would. */
export interface TrainHooks {
  onStep?: (record: StepRecord) => void | Promise<void>;
  /** Called after each epoch's checkpoint; returning (or resolving to) `'stop'` ends training there (early stopping). */
  onEpoch?: (summary: EpochSummary) => unknown;
}

/** What {@link train} did. */
export interface TrainResult {
  /** Epochs run by this call (after a resume, only the remaining ones). */
  epochsRun: number;
  history: EpochSummary[];
  best: BestMetric | null;
  /** The network's final state dict (PyTorch layout). */
  finalState: Map<string, NdArray>;
}

/** The metric that picks the best model: COCO AP (official `perf_indicator`), else PCK@0.2. */
function bestMetricName(experiment: Experiment): string {
  return experiment.dataset.dataset === 'coco' ? 'AP' : 'PCK@0.2';
}

async function restore(path: string, session: TrainingSession, seed: number): Promise<TrainingCheckpoint> {
  const checkpoint = await loadCheckpoint(path);
  loadStateDict(session.net, checkpoint.model);
  session.optimizer.setState(checkpoint.optimizer);
  if (checkpoint.rng.seed !== seed) {
    throw new UsageError(
      `--resume: the checkpoint was trained with seed ${checkpoint.rng.seed}, not ${seed}; resume with --seed ${checkpoint.rng.seed}`,
    );
  }
  return checkpoint;
}

function subset<T>(items: T[], n: number | undefined): T[] {
  return n === undefined ? items : items.slice(0, n);
}

/**
 * Trains as the official `tools/train.py`: for each epoch from `TRAIN.BEGIN_EPOCH` (or the checkpoint's) to
 * `TRAIN.END_EPOCH`, the MultiStep learning rate of that epoch, one pass over the shuffled, augmented training
 * set (JointsMSELoss, Adam), validation with flip test (COCO AP and PCK@0.2), best-model tracking, then an
 * atomic checkpoint. Writes the JSONL log, the curves PNG, `model_best/` when the metric improves and
 * `final_state/` at the end. A run killed mid-epoch resumes from the last finished epoch with the same weights,
 * optimizer state, learning rate and data order as if it had not stopped.
 *
 * Needs a tfjs backend set (`setBackend`); registers the gradients itself.
 */
export async function train(options: TrainOptions, hooks: TrainHooks = {}): Promise<TrainResult> {
  const { experiment, outDir } = options;
  const seed = options.seed ?? 0;
  const paths = {
    checkpoint: join(outDir, OUTPUT_FILES.checkpoint),
    log: join(outDir, OUTPUT_FILES.log),
    plot: join(outDir, OUTPUT_FILES.plot),
    best: join(outDir, OUTPUT_FILES.best),
    final: join(outDir, OUTPUT_FILES.final),
  };
  if (!options.resume && existsSync(paths.checkpoint)) {
    throw new UsageError(
      `${paths.checkpoint} exists: pass --resume to continue that run, or choose another --out`,
    );
  }
  await registerGradients();
  await mkdir(outDir, { recursive: true });
  const data = await loadTrainingData(experiment);
  const train = { ...data.train, records: subset(data.train.records, options.subset) };
  const val = { ...data.val, records: subset(data.val.records, options.subset) };

  const session = createSession(experiment, seed);
  const settings = { seed, workers: options.workers ?? 2, augment: options.augment ?? true };
  const loaders: TopDownLoader[] = [];
  try {
    const checkpoint = options.resume ? await restore(paths.checkpoint, session, seed) : undefined;
    const history = checkpoint?.history ?? [];
    let best = checkpoint?.best ?? null;
    const firstEpoch = checkpoint?.epoch ?? experiment.train.beginEpoch;
    const { endEpoch, lr, lrStep, lrFactor } = experiment.train;
    const log = new JsonlLog(paths.log);
    log.write({
      type: 'start',
      epoch: firstEpoch,
      resumed: checkpoint !== undefined,
      seed,
      trainSamples: train.records.length,
      valSamples: val.records.length,
    });
    const trainData = trainLoader(experiment, train.records, settings);
    const valData = valLoader(experiment, val.records, settings);
    loaders.push(trainData, valData);
    const bar = options.progress === false ? undefined : ProgressBar.create(endEpoch);
    const metricName = bestMetricName(experiment);
    let epochsRun = 0;

    for (let epoch = firstEpoch; epoch < endEpoch; epoch++) {
      const started = performance.now();
      session.optimizer.lr = multiStepLr(lr, lrStep, lrFactor, epoch);
      let lossSum = 0;
      let steps = 0;
      let last = started;
      for await (const batch of trainData.epoch(epoch)) {
        const loss = trainingStep(session, batch, experiment.useTargetWeight);
        const now = performance.now();
        const record: StepRecord = {
          type: 'step',
          epoch,
          step: steps,
          steps: trainData.batchesPerEpoch,
          loss,
          lr: session.optimizer.lr,
          batchSize: batch.size,
          imagesPerSecond: batch.size / ((now - last) / 1000),
        };
        last = now;
        lossSum += loss;
        steps++;
        log.write(record);
        bar?.step(record, lossSum / steps, (now - started) / 1000 / steps);
        await hooks.onStep?.(record);
      }
      bar?.end();
      const metrics = await validate(session.net, experiment, val, valData);
      const summary: EpochSummary = {
        type: 'epoch',
        epoch,
        lr: session.optimizer.lr,
        loss: lossSum / steps,
        metrics,
        seconds: (performance.now() - started) / 1000,
      };
      history.push(summary);
      log.write(summary);
      const value = metrics[metricName];
      const improved = value !== undefined && (best === null || value >= best.value);
      if (improved) {
        best = { name: metricName, value, epoch };
        await exportWeights(paths.best, session, `${OUTPUT_FILES.checkpoint} (epoch ${epoch + 1})`);
      }
      await saveCheckpoint(paths.checkpoint, {
        epoch: epoch + 1,
        model: stateDict(session.net),
        optimizer: session.optimizer.getState(),
        rng: { seed },
        best,
        history,
      });
      await writeFileAtomic(paths.plot, await renderTrainingPlot(history));
      epochsRun++;
      if ((await hooks.onEpoch?.(summary)) === 'stop') break;
    }
    await exportWeights(paths.final, session, `${OUTPUT_FILES.checkpoint} (epoch ${firstEpoch + epochsRun})`);
    return {
      epochsRun,
      history,
      best,
      finalState: stateDict(session.net),
    };
  } finally {
    await Promise.all(loaders.map((l) => l.close()));
    disposeSession(session);
  }
}
