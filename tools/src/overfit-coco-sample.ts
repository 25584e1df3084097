/**
 * Overfit check of the trainer on real data: the tiny HRNet of the reference fixtures (`models/tiny/config.yaml`,
 * 64x96 input) trained by `train()` of @hrnet/cli on the 12 ground-truth person boxes of
 * `../shared/data/coco-sample`, without augmentation, validated on the same samples, until PCK@0.2 > 0.9.
 * Writes the epoch log and a text loss curve to `tools/results/overfit-coco-sample.txt`.
 *
 * Run: `cd tools && npx tsx --conditions=@hrnet/source src/overfit-coco-sample.ts [--backend wasm|cpu]`
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type EpochSummary, experimentFromOfficial, train } from '@hrnet/cli';
import { type BackendName, setBackend } from '@hrnet/core';
import { parse as parseYaml } from 'yaml';
import { dataPath, referencePath, repoRoot } from '../../testing/shared';

const TARGET_PCK = 0.9;
const MAX_EPOCHS = 300;
const BATCH_SIZE = 4;

const { values } = parseArgs({ options: { backend: { type: 'string', default: 'wasm' } } });
const backend = values.backend as BackendName;

const official = parseYaml(readFileSync(referencePath('models', 'tiny', 'config.yaml'), 'utf8')) as Record<
  string,
  unknown
>;
const experiment = experimentFromOfficial({
  ...official,
  DATASET: { DATASET: 'coco', ROOT: dataPath('coco-sample'), TRAIN_SET: 'test_coco', TEST_SET: 'test_coco' },
  TRAIN: { BATCH_SIZE_PER_GPU: BATCH_SIZE, END_EPOCH: MAX_EPOCHS, LR: 0.001, LR_STEP: [MAX_EPOCHS] },
  TEST: { BATCH_SIZE_PER_GPU: 12 },
});

await setBackend(backend);
const outDir = mkdtempSync(join(tmpdir(), 'hrnet-overfit-'));
const started = performance.now();
const epochs: EpochSummary[] = [];
const result = await train(
  { experiment, outDir, seed: 0, workers: 0, augment: false, progress: false },
  {
    onEpoch: (summary) => {
      epochs.push(summary);
      const pck = summary.metrics['PCK@0.2']!;
      process.stderr.write(
        `epoch ${summary.epoch + 1}: loss ${summary.loss.toExponential(4)} PCK@0.2 ${pck.toFixed(4)} AP ${summary.metrics.AP!.toFixed(4)} (${summary.seconds.toFixed(1)} s)\n`,
      );
      return pck > TARGET_PCK ? 'stop' : undefined;
    },
  },
);
const wall = (performance.now() - started) / 1000;
rmSync(outDir, { recursive: true, force: true });

/** A text chart of the epoch losses on a log scale: one row per epoch, bar length ~ log(loss). */
function lossCurve(history: readonly EpochSummary[]): string[] {
  const logs = history.map((h) => Math.log10(h.loss));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs);
  const width = 50;
  return history.map((h, i) => {
    const n = hi > lo ? Math.round(((logs[i]! - lo) / (hi - lo)) * width) : width;
    return `${String(h.epoch + 1).padStart(4)} ${h.loss.toExponential(3)} |${'#'.repeat(Math.max(1, n))}`;
  });
}

const first = epochs[0]!;
const last = epochs[epochs.length - 1]!;
const reached = last.metrics['PCK@0.2']! > TARGET_PCK;
const lines = [
  '# Overfit check: tiny HRNet (models/tiny/config.yaml, 64x96) on ../shared/data/coco-sample (12 GT boxes)',
  `# tools/src/overfit-coco-sample.ts, backend ${backend}, Node ${process.versions.node}, seed 0`,
  `# recipe: JointsMSELoss with target weights, Adam lr 1e-3 (no weight decay), batch ${BATCH_SIZE}, shuffle, no augmentation;`,
  '# validation on the same 12 samples after every epoch: flip test, get_final_preds, PCK@0.2 of the person box, COCO AP',
  '',
  'epoch  lr        train_loss   PCK@0.2  AP      seconds',
  ...epochs.map(
    (e) =>
      `${String(e.epoch + 1).padStart(5)}  ${e.lr.toExponential(1)}  ${e.loss.toExponential(4)}  ${e.metrics['PCK@0.2']!.toFixed(4)}   ${e.metrics.AP!.toFixed(4)}  ${e.seconds.toFixed(1)}`,
  ),
  '',
  '# training loss per epoch (log scale)',
  ...lossCurve(epochs),
  '',
  `result: ${reached ? 'reached' : 'did NOT reach'} PCK@0.2 > ${TARGET_PCK} after ${result.epochsRun} epochs ` +
    `(${result.epochsRun * Math.ceil(12 / BATCH_SIZE)} steps); loss ${first.loss.toExponential(3)} -> ${last.loss.toExponential(3)}; ` +
    `PCK@0.2 ${first.metrics['PCK@0.2']!.toFixed(4)} -> ${last.metrics['PCK@0.2']!.toFixed(4)}; ` +
    `AP ${first.metrics.AP!.toFixed(4)} -> ${last.metrics.AP!.toFixed(4)}; wall time ${wall.toFixed(0)} s`,
  '',
];
const out = join(repoRoot, 'tools', 'results', 'overfit-coco-sample.txt');
writeFileSync(out, lines.join('\n'));
process.stderr.write(`${lines[lines.length - 2]}\nwritten to ${out}\n`);
if (!reached) process.exitCode = 1;
