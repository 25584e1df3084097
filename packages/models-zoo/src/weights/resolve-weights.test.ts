import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStateDictFile } from '@hrnet/core/node';
import { parseHRNetConfigYaml } from '@hrnet/layers';
import { afterAll, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import { referencePath, sharedDir } from '../../../../testing/shared';
import { getModelCard, type ModelCard } from '../zoo/cards';
import { ChecksumMismatchError, WeightsUnavailableError } from './errors';
import { loadConvertedCheckpoint } from './node/converted-dir';
import { resolveWeights } from './node/resolve-weights';

const checkpointPath = referencePath('models', 'tiny', 'model.pth');
const checkpoint = readFileSync(checkpointPath);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** How the test server answers: the file as is, with one byte flipped, or cut off mid-body. */
let mode: 'ok' | 'corrupt' | 'interrupt' = 'ok';
let requests = 0;
let server: Server;
let baseUrl = '';

const tinyPoseFiles = join(sharedDir(), 'models', 'pp-tinypose');

beforeAll(async () => {
  server = createServer((request, response) => {
    requests++;
    const name = decodeURIComponent(request.url!.slice(1));
    const body =
      name === 'model.pth'
        ? checkpoint
        : existsSync(join(tinyPoseFiles, name))
          ? readFileSync(join(tinyPoseFiles, name))
          : undefined;
    if (body === undefined) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-length': body.byteLength,
      'content-type': 'application/octet-stream',
    });
    if (mode === 'corrupt') {
      const copy = Buffer.from(body);
      copy[copy.length >> 1]! ^= 0xff;
      response.end(copy);
    } else if (mode === 'interrupt') {
      response.write(body.subarray(0, body.byteLength >> 1), () => response.socket?.destroy());
    } else {
      response.end(body);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  mode = 'ok';
  requests = 0;
  vi.unstubAllEnvs();
});

const temporaryDir = (name: string) => mkdtempSync(join(tmpdir(), `hrnet-${name}-`));

/** A card for the tiny reference model, published on the test server. */
function tinyCard(): ModelCard {
  const config = parseHRNetConfigYaml(readFileSync(referencePath('models', 'tiny', 'config.yaml'), 'utf8'));
  return {
    ...getModelCard('hrnet-w32-coco-256x192'),
    id: 'test-tiny',
    config,
    inputSize: config.imageSize,
    heatmapSize: config.heatmapSize,
    weights: [
      {
        name: 'mmpose',
        description: 'test server',
        format: 'pytorch',
        files: [{ fileName: 'model.pth', url: `${baseUrl}/model.pth`, sha256: sha256(checkpoint) }],
      },
    ],
  };
}

/** The PP-TinyPose 256x192 card with its URLs pointing at the test server. */
function tinyPoseCard(): ModelCard {
  const card = getModelCard('pp-tinypose-256x192');
  const [source] = card.weights;
  return {
    ...card,
    weights: [{ ...source!, files: source!.files.map((f) => ({ ...f, url: `${baseUrl}/${f.fileName}` })) }],
  };
}

/** Every file under a folder, temporary ones included. */
function filesUnder(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }) : [];
}

const offline: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));

describe('resolveWeights', () => {
  test('downloads, verifies and caches a checkpoint, converts it once, then needs no network', async () => {
    const cacheDir = temporaryDir('cache');
    const progress: number[] = [];
    const first = await resolveWeights(tinyCard(), {
      cacheDir,
      onProgress: (p) => {
        expect(p.totalBytes).toBe(checkpoint.byteLength);
        progress.push(p.receivedBytes);
      },
    });
    expect(first.files).toEqual([
      { fileName: 'model.pth', path: join(cacheDir, 'hrnet', 'model.pth'), origin: 'download' },
    ]);
    expect(progress.at(-1)).toBe(checkpoint.byteLength);
    expect(sha256(readFileSync(first.files[0]!.path))).toBe(sha256(checkpoint));
    expect(first.tfjsDir).toBe(join(cacheDir, 'hrnet', 'model.pth.tfjs'));

    const converted = await loadConvertedCheckpoint(first.tfjsDir!);
    expect(converted.config).toEqual(tinyCard().config);
    expect(converted.metadata).toMatchObject({
      modelId: 'test-tiny',
      checkpoint: 'model.pth',
      layout: 'pytorch',
    });
    const original = await readStateDictFile(checkpointPath);
    const key = 'stage4.0.fuse_layers.0.3.0.weight';
    expect(converted.stateDict.get(key)!.shape).toEqual(original.get(key)!.shape);
    expect(converted.stateDict.get(key)!.data).toEqual(original.get(key)!.data);

    const again = await resolveWeights(tinyCard(), { cacheDir, fetch: offline });
    expect(again.files[0]!.origin).toBe('cache');
    expect(requests).toBe(1);
  });

  test('a corrupted download is rejected with both sums and leaves nothing in the cache', async () => {
    const cacheDir = temporaryDir('cache');
    mode = 'corrupt';
    const error = await resolveWeights(tinyCard(), { cacheDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChecksumMismatchError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${baseUrl}/model\\.pth: sha256 mismatch: expected ${sha256(checkpoint)}, got [0-9a-f]{64}$`,
      ),
    );
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  test('an interrupted download leaves no cache entry, and a retry succeeds', async () => {
    const cacheDir = temporaryDir('cache');
    mode = 'interrupt';
    const error = await resolveWeights(tinyCard(), { cacheDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WeightsUnavailableError);
    expect((error as Error).message).toMatch(
      /^test-tiny: model\.pth is not cached or mirrored and downloading it failed \(.+\); download http:\/\/127\.0\.0\.1:\d+\/model\.pth and place it at \$HRNET_WEIGHTS_DIR\/hrnet\/model\.pth$/,
    );
    expect(filesUnder(cacheDir)).toEqual([]);

    mode = 'ok';
    const retry = await resolveWeights(tinyCard(), { cacheDir });
    expect(retry.files[0]!.origin).toBe('download');
    expect(sha256(readFileSync(retry.files[0]!.path))).toBe(sha256(checkpoint));
  });

  test('PP-TinyPose: both files downloaded with their full sha256 and cached', async () => {
    const cacheDir = temporaryDir('cache');
    const resolved = await resolveWeights(tinyPoseCard(), { cacheDir });
    expect(resolved.files.map((f) => [f.fileName, f.origin])).toEqual([
      ['tinypose_256x192.param', 'download'],
      ['tinypose_256x192.bin', 'download'],
    ]);
    expect(resolved.tfjsDir).toBeUndefined();
    expect(filesUnder(join(cacheDir, 'pp-tinypose')).sort()).toEqual([
      'tinypose_256x192.bin',
      'tinypose_256x192.param',
    ]);
  });

  test('a mirror hit needs no network', async () => {
    const weightsDir = join(sharedDir(), 'models');
    const resolved = await resolveWeights(getModelCard('pp-tinypose-128x96'), {
      cacheDir: temporaryDir('cache'),
      weightsDir,
      fetch: offline,
    });
    expect(resolved.files).toEqual([
      {
        fileName: 'tinypose_128x96.param',
        path: join(tinyPoseFiles, 'tinypose_128x96.param'),
        origin: 'mirror',
      },
      { fileName: 'tinypose_128x96.bin', path: join(tinyPoseFiles, 'tinypose_128x96.bin'), origin: 'mirror' },
    ]);
  });

  test('HRNET_WEIGHTS_DIR and HRNET_CACHE are the defaults', async () => {
    const cacheDir = temporaryDir('cache');
    vi.stubEnv('HRNET_WEIGHTS_DIR', join(sharedDir(), 'models'));
    vi.stubEnv('HRNET_CACHE', cacheDir);
    const resolved = await resolveWeights(getModelCard('pp-tinypose-256x192'), { fetch: offline });
    expect(resolved.files.every((f) => f.origin === 'mirror')).toBe(true);
  });

  test('a corrupt mirror file is an error naming it', async () => {
    const weightsDir = temporaryDir('mirror');
    mkdirSync(join(weightsDir, 'pp-tinypose'));
    for (const name of ['tinypose_256x192.param', 'tinypose_256x192.bin']) {
      const bytes = readFileSync(join(tinyPoseFiles, name));
      if (name.endsWith('.bin')) bytes[100]! ^= 1;
      writeFileSync(join(weightsDir, 'pp-tinypose', name), bytes);
    }
    await expect(
      resolveWeights(getModelCard('pp-tinypose-256x192'), {
        cacheDir: temporaryDir('cache'),
        weightsDir,
        fetch: offline,
      }),
    ).rejects.toThrow(
      `${join(weightsDir, 'pp-tinypose', 'tinypose_256x192.bin')}: sha256 mismatch: expected 70fad87fa3004edcae4d628bcb0c6be1ba8b0f93991097b42cf8da6fe8c1968b, got`,
    );
  });

  test('offline without a mirror: says what to download and where to put it', async () => {
    vi.stubEnv('HRNET_WEIGHTS_DIR', '');
    await expect(
      resolveWeights(getModelCard('pp-tinypose-256x192'), {
        cacheDir: temporaryDir('cache'),
        fetch: offline,
      }),
    ).rejects.toThrow(
      'pp-tinypose-256x192: tinypose_256x192.param is not cached or mirrored and downloading it failed (fetch failed); ' +
        'download https://raw.githubusercontent.com/FeiGeChuanShu/ncnn_Android_PP-TinyPose/1a8515f9039b0b01787bda4fc3f1545f3701c2d9/app/src/main/assets/tinypose_256x192.param ' +
        'and place it at $HRNET_WEIGHTS_DIR/pp-tinypose/tinypose_256x192.param',
    );
  });

  test('official HRNet weights have no URL: the message says where to place the file', async () => {
    const weightsDir = temporaryDir('mirror');
    await expect(
      resolveWeights(getModelCard('hrnet-w32-coco-256x192'), {
        cacheDir: temporaryDir('cache'),
        weightsDir,
        source: 'official',
        fetch: offline,
      }),
    ).rejects.toThrow(
      `hrnet-w32-coco-256x192: weights not found in the cache or the mirror and no download URL is published (Official model zoo`,
    );
    await expect(
      resolveWeights(getModelCard('hrnet-w32-coco-256x192'), {
        cacheDir: temporaryDir('cache'),
        source: 'official',
      }),
    ).rejects.toThrow(
      /place pose_hrnet_w32_256x192\.pth at \$HRNET_WEIGHTS_DIR\/hrnet\/pose_hrnet_w32_256x192\.pth$/,
    );
  });

  test('an official checkpoint placed in the mirror is converted with the card config', async () => {
    const weightsDir = temporaryDir('mirror');
    mkdirSync(join(weightsDir, 'hrnet'));
    writeFileSync(join(weightsDir, 'hrnet', 'model.pth'), checkpoint);
    const card = tinyCard();
    const official: ModelCard = {
      ...card,
      weights: [
        { name: 'official', description: 'by hand', format: 'pytorch', files: [{ fileName: 'model.pth' }] },
      ],
    };
    const cacheDir = temporaryDir('cache');
    const resolved = await resolveWeights(official, { cacheDir, weightsDir, fetch: offline, float16: true });
    expect(resolved.files[0]!.origin).toBe('mirror');
    expect(resolved.tfjsDir).toBe(join(cacheDir, 'hrnet', 'model.pth.float16.tfjs'));
    const converted = await loadConvertedCheckpoint(resolved.tfjsDir!);
    expect(converted.metadata.precision).toBe('float16');
  });
});
