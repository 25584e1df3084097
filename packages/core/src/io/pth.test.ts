import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { referencePath } from '../../../../testing/shared';
import { FormatError } from './errors';
import type { NdArray } from './ndarray';
import { materializeTensor, readStateDict } from './pth';

const tiny = (name: string) => referencePath('models', 'tiny', name);
const load = (path: string) => readStateDict(readFileSync(path), path);
const bytesOf = (path: string) => new Uint8Array(readFileSync(path));

function indexOf(haystack: Uint8Array, needle: readonly number[] | string): number {
  const pattern = typeof needle === 'string' ? [...new TextEncoder().encode(needle)] : needle;
  outer: for (let i = 0; i + pattern.length <= haystack.length; i++) {
    for (let j = 0; j < pattern.length; j++) if (haystack[i + j] !== pattern[j]) continue outer;
    return i;
  }
  throw new Error(`pattern ${String(needle)} not found`);
}

function expectFormatError(action: () => unknown, message: string): void {
  let caught: unknown;
  try {
    action();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FormatError);
  expect((caught as Error).message).toContain(message);
}

const isParameter = (key: string) => !/(running_mean|running_var|num_batches_tracked)$/.test(key);

describe('readStateDict', () => {
  const reference = load(tiny('model.pth'));

  it('reads the zip checkpoint', () => {
    expect(reference.size).toBe(614);
    expect(reference.get('conv1.weight')).toMatchObject({ dtype: 'float32', shape: [64, 3, 3, 3] });
    expect(reference.get('stage4.1.fuse_layers.0.3.0.weight')?.dtype).toBe('float32');
    expect(reference.get('final_layer.weight')?.shape).toEqual([17, 8, 1, 1]);
    const tracked = reference.get('bn1.num_batches_tracked')!;
    expect(tracked.dtype).toBe('int64');
    expect(tracked.shape).toEqual([]);
    expect(tracked.data.length).toBe(1);
    const parameters = [...reference].filter(([key]) => isParameter(key));
    expect(parameters.reduce((sum, [, nd]) => sum + nd.data.length, 0)).toBe(781417);
  });

  it.each(['model-legacy.pth', 'model-mmpose.pth'])('reads %s to the same tensors', (name) => {
    const other = load(tiny(name));
    expect([...other.keys()]).toEqual([...reference.keys()]);
    for (const [key, nd] of reference) expect(other.get(key), key).toEqual(nd);
  });

  it('reads the tiny MPII model', () => {
    const mpii = load(referencePath('models', 'tiny-mpii', 'model.pth'));
    expect(mpii.get('final_layer.weight')?.shape).toEqual([16, 8, 1, 1]);
  });

  it('rejects files that are not checkpoints', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
    expectFormatError(() => readStateDict(png, 'image.png'), 'image.png: not a PyTorch checkpoint');
    const random = Uint8Array.from({ length: 256 }, (_, i) => (i * 7919 + 13) % 251);
    expectFormatError(() => readStateDict(random, 'noise.bin'), 'noise.bin: not a PyTorch checkpoint');
    const legacy = bytesOf(tiny('model-legacy.pth'));
    legacy[5] ^= 0xff; // inside the pickled magic number
    expectFormatError(
      () => readStateDict(legacy, 'bad-magic.pth'),
      'bad-magic.pth: not a PyTorch checkpoint: wrong magic',
    );
  });

  it('reports truncated files', () => {
    const zip = bytesOf(tiny('model.pth'));
    expectFormatError(
      () => readStateDict(zip.subarray(0, zip.length >> 1), 'half.pth'),
      'half.pth: truncated: end of central directory not found',
    );
    const legacy = bytesOf(tiny('model-legacy.pth'));
    expectFormatError(
      () => readStateDict(legacy.subarray(0, legacy.length >> 1), 'half-legacy.pth'),
      'half-legacy.pth: truncated',
    );
    expectFormatError(
      () => readStateDict(legacy.subarray(0, 2000), 'short-legacy.pth'),
      'short-legacy.pth: truncated',
    );
  });

  it('refuses a global that is not on the allowlist', () => {
    const bytes = bytesOf(tiny('model.pth'));
    bytes[indexOf(bytes, 'OrderedDict') + 10] = 0x78; // collections.OrderedDicx
    expectFormatError(
      () => readStateDict(bytes, 'evil.pth'),
      'evil.pth: refusing to load global collections.OrderedDicx',
    );
  });

  it('rejects a stride that reaches outside the storage', () => {
    const bytes = bytesOf(tiny('model.pth'));
    // conv1.weight: stride (27, 9, 3, 1) as BININT1 tuple -> (127, 9, 3, 1)
    bytes[indexOf(bytes, [0x28, 0x4b, 0x1b, 0x4b, 0x09, 0x4b, 0x03, 0x4b, 0x01, 0x74]) + 2] = 0x7f;
    expectFormatError(
      () => readStateDict(bytes, 'strided.pth'),
      'strided.pth: tensor conv1.weight: size [64, 3, 3, 3], stride [127, 9, 3, 1] and offset 0 reach element 8027 outside storage 0 of 1728 elements',
    );
  });

  it('reports a missing storage', () => {
    const bytes = bytesOf(tiny('model.pth'));
    // The first storage key '0' (BINUNICODE of length 1) becomes 'Z'.
    bytes[indexOf(bytes, [0x58, 0x01, 0x00, 0x00, 0x00, 0x30]) + 5] = 0x5a;
    expectFormatError(
      () => readStateDict(bytes, 'nostorage.pth'),
      'nostorage.pth: storage Z of tensor conv1.weight is missing',
    );
  });
});

describe('materializeTensor', () => {
  const storageBytes = new Uint8Array(Float32Array.from({ length: 8 }, (_, i) => i).buffer);
  const storage = { key: 's', dtype: 'float32' as const, offset: 1, numel: 7 };

  it('copies a transposed view into C order', () => {
    const nd: NdArray = materializeTensor(
      { storage, offset: 1, shape: [3, 2], stride: [1, 3] },
      storageBytes,
      't',
      'x',
    );
    // elements 2..7; view[i][j] = storage[1 + 1 + i + 3j]
    expect(nd.shape).toEqual([3, 2]);
    expect([...nd.data]).toEqual([2, 5, 3, 6, 4, 7]);
  });

  it('handles broadcast (zero) strides and contiguous slices', () => {
    expect([
      ...materializeTensor({ storage, offset: 0, shape: [2, 2], stride: [0, 1] }, storageBytes, 't', 'x')
        .data,
    ]).toEqual([1, 2, 1, 2]);
    expect([
      ...materializeTensor({ storage, offset: 4, shape: [3], stride: [1] }, storageBytes, 't', 'x').data,
    ]).toEqual([5, 6, 7]);
  });

  it('rejects a view past the storage end', () => {
    expectFormatError(
      () => materializeTensor({ storage, offset: 5, shape: [3], stride: [1] }, storageBytes, 't', 'x'),
      'x: tensor t: size [3], stride [1] and offset 5 reach element 7 outside storage s of 7 elements',
    );
  });
});
