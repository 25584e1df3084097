import { createHash } from 'node:crypto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, test } from 'vitest';
import { getModelCard, type ModelCard } from '../zoo/cards';
import { ChecksumMismatchError } from './errors';
import { IndexedDbWeightsCache } from './indexeddb-cache';
import { fetchCardWeights } from './resolve';
import { weightsKey } from './storage';

const published = Uint8Array.from({ length: 4096 }, (_, i) => (i * 31) % 256);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A card with one published file at a URL that only the stub fetches below serve. */
function card(): ModelCard {
  const base = getModelCard('pp-tinypose-256x192');
  return {
    ...base,
    id: 'test-card',
    weights: [
      {
        ...base.weights[0]!,
        files: [{ fileName: 'w.bin', url: 'https://weights.invalid/w.bin', sha256: sha256(published) }],
      },
    ],
  };
}

const serve = (bytes: Uint8Array) => (async () => new Response(bytes.slice())) as typeof fetch;
const offline = (async () => {
  throw new TypeError('fetch failed');
}) as typeof fetch;

/** The IndexedDB cache of the browser path, on fake-indexeddb (an in-memory IndexedDB for Node). */
describe('IndexedDbWeightsCache', () => {
  test('stores exactly the bytes of a view, reads them back, and survives a new instance', async () => {
    const factory = new IDBFactory();
    const cache = new IndexedDbWeightsCache('test-db', factory);
    const backing = Uint8Array.from({ length: 10 }, (_, i) => i);
    expect(await cache.has('family/a.bin')).toBe(false);
    expect(await cache.read('family/a.bin')).toBeUndefined();
    await cache.write('family/a.bin', backing.subarray(2, 6));
    expect(await cache.has('family/a.bin')).toBe(true);
    expect(Array.from((await cache.read('family/a.bin'))!)).toEqual([2, 3, 4, 5]);
    const reopened = new IndexedDbWeightsCache('test-db', factory);
    expect(Array.from((await reopened.read('family/a.bin'))!)).toEqual([2, 3, 4, 5]);
    expect(cache.describe('family/a.bin')).toBe('IndexedDB test-db/files/family/a.bin');
  });

  test('fetchCardWeights downloads and verifies once, then loads from IndexedDB offline', async () => {
    const cache = new IndexedDbWeightsCache('weights', new IDBFactory());
    const first = await fetchCardWeights(card(), { cache, fetch: serve(published) });
    expect(Array.from(first.get('w.bin')!)).toEqual(Array.from(published));
    expect(await cache.has(weightsKey(card().family, 'w.bin'))).toBe(true);
    const again = await fetchCardWeights(card(), { cache, fetch: offline });
    expect(Array.from(again.get('w.bin')!)).toEqual(Array.from(published));
  });

  test('a corrupted download is rejected and leaves nothing in IndexedDB', async () => {
    const cache = new IndexedDbWeightsCache('weights', new IDBFactory());
    const corrupted = published.slice();
    corrupted[100] = (corrupted[100]! + 1) % 256;
    await expect(fetchCardWeights(card(), { cache, fetch: serve(corrupted) })).rejects.toThrow(
      ChecksumMismatchError,
    );
    expect(await cache.has(weightsKey(card().family, 'w.bin'))).toBe(false);
    await expect(fetchCardWeights(card(), { cache, fetch: offline })).rejects.toThrow(/w\.bin/);
  });
});
