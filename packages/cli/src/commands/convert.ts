import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { setBackend } from '@hrnet/core';
import { readStateDictFile } from '@hrnet/core/node';
import { hrnetNetwork } from '@hrnet/models-zoo';
import { saveConvertedCheckpoint } from '@hrnet/models-zoo/node';
import { required } from '../args';
import { UsageError } from '../errors';
import { resolveConfig } from '../model';

export const convertHelp = `Usage: hrnet convert <checkpoint.pth> --config <yaml|preset> --out <dir> [--float16]

Converts an official or MMPose HRNet checkpoint to a tfjs weights folder (model.json + binary shards) that
'hrnet infer --model <dir>' and the browser can load. Tensors keep their PyTorch state-dict names and layouts
(convolution kernels OIHW); model.json's userDefinedMetadata holds the HRNet config (official MODEL layout),
so the folder describes itself. The checkpoint is checked against the config before anything is written.

Options:
  --config   official HRNet YAML config, or a preset: w32-coco-256x192, w48-coco-384x288, w32-mpii-256x256, ...
  --out      output folder (replaced atomically if it exists)
  --float16  store float weights as float16: half the size; heatmaps differ from float32 by at most
             1e-3 of their largest magnitude (6e-4 measured on the reference model)

Example:
  hrnet convert pose_hrnet_w32_256x192.pth --config w32-coco-256x192 --out models/w32-coco-256x192
`;

/** `hrnet convert`: PyTorch checkpoint to a self-describing tfjs weights folder. */
export async function convert(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      out: { type: 'string' },
      float16: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(convertHelp);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      `expected one checkpoint file, got ${positionals.length}; run 'hrnet convert --help'`,
    );
  }
  const checkpoint = positionals[0]!;
  const config = resolveConfig(required(values, 'config'));
  const out = required(values, 'out');
  if (!existsSync(checkpoint)) throw new UsageError(`${checkpoint}: no such file`);

  const stateDict = await readStateDictFile(checkpoint);
  await setBackend('cpu');
  // Building the network checks every name and shape before anything is written.
  hrnetNetwork(config, stateDict).dispose();
  await saveConvertedCheckpoint(out, stateDict, config, {
    checkpoint: basename(checkpoint),
    float16: values.float16,
  });
  process.stderr.write(
    `hrnet convert: ${stateDict.size} tensors (${values.float16 ? 'float16' : 'float32'}) written to ${out}\n`,
  );
  return 0;
}
