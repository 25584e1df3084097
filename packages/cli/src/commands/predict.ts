import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { setBackend } from '@hrnet/core';
import { writeFileAtomic } from '@hrnet/core/node';
import { decodeImageFile } from '@hrnet/datasets/node';
import type { DecodeMethod } from '@hrnet/decode';
import { PoseEstimator } from '@hrnet/models-zoo';
import { backendOption, decodeOption, RUNTIME_HELP, runtimeOption } from '../args';
import { UsageError } from '../errors';
import { loadModelOptions, withRuntime } from '../model';
import { readDetections } from '../people';
import { renderPoses } from '../render';

export const predictHelp = `Usage: hrnet predict <images...> [--model <zoo id|converted dir>] [--boxes det.json] [--out dir]

Estimates the poses in each image and writes <out>/<name>.json (poses in image pixels:
{keypoints: [{x, y, score, name}], score, box}) and <out>/<name>.png (the image with the skeletons drawn).
Without --boxes the whole image is one person.

Options:
  --model          model zoo id (default pp-tinypose-256x192) or a folder written by 'hrnet convert';
                   weights come from HRNET_CACHE, HRNET_WEIGHTS_DIR (<dir>/<family>/<file>) or are downloaded
  --config, --weights  instead of --model: an official HRNet config (or preset) and a PyTorch checkpoint
  --boxes          person detections, COCO results layout ([{image_id, bbox: [x, y, w, h], score}]);
                   images are matched by their COCO file name (%012d.jpg)
  --box-threshold  ignore detections scoring below this (default 0.5)
  --out            output folder (default predictions)
  --flip-test / --no-flip-test  average with the mirrored image's heatmaps (default off)
  --decode         official | dark | udp (default official)
  --backend        cpu | wasm | webgl | webgpu | tensorflow (default wasm)
${RUNTIME_HELP}  --json           also print all poses as one JSON object on stdout

Examples:
  HRNET_WEIGHTS_DIR=../shared/models hrnet predict ../shared/data/coco-sample/000000000785.jpg
  hrnet predict img/*.jpg --model hrnet-w32-coco-256x192 --boxes detections.json --flip-test --decode dark
`;

/** One line per image on a terminal, nothing in pipes and logs. */
function progress(done: number, total: number, name: string): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(`\r[${done}/${total}] ${name}`.padEnd(60) + (done === total ? '\n' : ''));
}

/** `hrnet predict`: poses as JSON and a rendered PNG for each image. */
export async function predict(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    allowNegative: true,
    options: {
      model: { type: 'string' },
      config: { type: 'string' },
      weights: { type: 'string' },
      boxes: { type: 'string' },
      'box-threshold': { type: 'string', default: '0.5' },
      out: { type: 'string', default: 'predictions' },
      'flip-test': { type: 'boolean', default: false },
      decode: { type: 'string', default: 'official' },
      backend: { type: 'string', default: 'wasm' },
      runtime: { type: 'string', default: 'tfjs' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(predictHelp);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError("no images given; run 'hrnet predict --help'");
  const decode: Exclude<DecodeMethod, 'argmax'> = decodeOption(values.decode);
  const threshold = Number(values['box-threshold']);
  if (!Number.isFinite(threshold))
    throw new UsageError(`--box-threshold ${values['box-threshold']}: not a number`);
  const runtime = runtimeOption(values.runtime);
  await setBackend(backendOption(values.backend));
  const named = values.model ?? (values.config === undefined ? 'pp-tinypose-256x192' : undefined);
  const { model, network } = await withRuntime(await loadModelOptions({ ...values, model: named }), runtime);
  const estimator = new PoseEstimator(model, network);
  try {
    const detections =
      values.boxes === undefined ? undefined : await readDetections(values.boxes, model, threshold);
    mkdirSync(values.out, { recursive: true });
    const all: Record<string, unknown> = {};
    for (const [i, path] of positionals.entries()) {
      const name = basename(path, extname(path));
      const image = await decodeImageFile(path);
      const people = detections?.get(basename(path)) ?? (detections ? [] : undefined);
      const poses = await estimator.estimatePoses(image, {
        ...(people ? { people } : {}),
        flipTest: values['flip-test'],
        decode,
      });
      const result = { image: path, model: model.id, poses };
      await writeFileAtomic(join(values.out, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
      await writeFileAtomic(
        join(values.out, `${name}.png`),
        await renderPoses(image, poses, estimator.keypoints),
      );
      all[path] = poses;
      progress(i + 1, positionals.length, name);
    }
    if (values.json) process.stdout.write(`${JSON.stringify(all)}\n`);
    process.stderr.write(`hrnet predict: ${positionals.length} image(s), results in ${values.out}\n`);
  } finally {
    estimator.dispose();
  }
  return 0;
}
