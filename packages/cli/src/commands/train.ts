import { parseArgs } from 'node:util';
import { BACKEND_NAMES, type BackendName, setBackend } from '@hrnet/core';
import { UsageError } from '../errors';
import { loadExperiment } from '../train/experiment';
import { OUTPUT_FILES, train } from '../train/trainer';

export const trainHelp = `Usage: hrnet train --config <experiment yaml|preset> [--data-root dir] [--out dir] [--resume]
                   [--backend cpu] [--seed 0] [--workers 2] [--no-augment] [--subset N]

Trains HRNet with the official recipe of deep-high-resolution-net.pytorch: JointsMSELoss with target weights,
Adam (TRAIN.LR, no weight decay), MultiStep LR (TRAIN.LR_STEP, TRAIN.LR_FACTOR) up to TRAIN.END_EPOCH, shuffled
and augmented batches, validation after every epoch (flip test, COCO AP on ground-truth boxes, PCK@0.2) and
best-model tracking by AP.

Options:
  --config      an official experiment YAML (experiments/coco/hrnet/w32_256x192_adam_lr1e-3.yaml as it is:
                DATASET, MODEL, LOSS, TRAIN, TEST; keys training does not use are listed), or a preset
                (w32-coco-256x192, w32-mpii-256x256, ...) with the official recipe of its dataset
  --data-root   overrides DATASET.ROOT (COCO: annotations/person_keypoints_<SET>.json + images/<SET>/;
                MPII: annot/<SET>.json + images/; or a flat folder with <SET>.json next to the images)
  --out         output folder (default output/<config name>): ${OUTPUT_FILES.checkpoint}, ${OUTPUT_FILES.log},
                ${OUTPUT_FILES.plot}, ${OUTPUT_FILES.best}/, ${OUTPUT_FILES.final}/
  --resume      continue from <out>/${OUTPUT_FILES.checkpoint} (weights, Adam state, epoch, LR position, RNG, best)
  --backend     ${BACKEND_NAMES.join(' | ')} (default cpu; webgpu runs on Dawn over Vulkan in Node,
                tensorflow uses tfjs-node-gpu where installed)
  --seed        seed of the initialisation, shuffle and augmentation (default 0)
  --workers     data loader threads (default 2; 0 decodes on the main thread)
  --no-augment  train without augmentation (overfit checks)
  --subset      use only the first N samples of each split (smoke tests)

Example:
  hrnet train --config tiny.yaml --data-root ../shared/data/coco-sample --out runs/tiny
  hrnet train --config tiny.yaml --data-root ../shared/data/coco-sample --out runs/tiny --resume
`;

function nonNegativeInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} ${value}: expected a non-negative integer`);
  return n;
}

/** `hrnet train`: the official training recipe on a tfjs backend. */
export async function trainCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      'data-root': { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'cpu' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      'no-augment': { type: 'boolean', default: false },
      subset: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(trainHelp);
    return 0;
  }
  if (values.config === undefined || values.config === '') throw new UsageError('missing --config');
  const backend = values.backend as BackendName;
  if (!BACKEND_NAMES.includes(backend)) {
    throw new UsageError(`--backend ${values.backend}: expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  const seed = nonNegativeInt(values.seed, 'seed');
  const workers = nonNegativeInt(values.workers, 'workers');
  const subset = nonNegativeInt(values.subset, 'subset');
  const experiment = loadExperiment(values.config);
  if (values['data-root'] !== undefined) experiment.dataset.root = values['data-root'];
  if (experiment.ignored.length > 0) {
    process.stderr.write(`hrnet train: ignoring ${experiment.ignored.join(', ')}\n`);
  }
  const name = values.config.replace(/^.*[/\\]/, '').replace(/\.ya?ml$/, '');
  const outDir = values.out ?? `output/${name}`;
  await setBackend(backend);
  const result = await train(
    {
      experiment,
      outDir,
      resume: values.resume,
      augment: !values['no-augment'],
      ...(seed === undefined ? {} : { seed }),
      ...(workers === undefined ? {} : { workers }),
      ...(subset === undefined ? {} : { subset }),
    },
    {
      onEpoch: (s) => {
        const metrics = Object.entries(s.metrics)
          .filter(([k]) => k === 'AP' || k === 'PCK@0.2')
          .map(([k, v]) => `${k} ${v.toFixed(4)}`)
          .join(' ');
        process.stderr.write(
          `epoch ${s.epoch + 1}: loss ${s.loss.toPrecision(4)} lr ${s.lr.toExponential(1)} ${metrics} (${s.seconds.toFixed(1)} s)\n`,
        );
      },
    },
  );
  const best = result.best
    ? `; best ${result.best.name} ${result.best.value.toFixed(4)} at epoch ${result.best.epoch + 1}`
    : '';
  process.stderr.write(`hrnet train: ${result.epochsRun} epochs run${best}; outputs in ${outDir}\n`);
  return 0;
}
