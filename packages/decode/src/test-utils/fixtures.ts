import { referencePath } from '../../../../testing/shared';
import { createHeatmaps } from '../heatmaps';
import { readNpy } from './npy';

/** The decode fixture for one heatmap size: heatmaps (8, 17, H, W) and a reader for the other arrays. */
export function loadDecodeFixture(size: '64x48' | '96x72') {
  const path = (file: string) => referencePath('decode', file);
  const raw = readNpy(path(`heatmaps-${size}.npy`));
  const heatmaps = createHeatmaps(raw.float32!, raw.shape as [number, number, number, number]);
  const array = (name: string) => readNpy(path(`${name}-${size}.npy`)).data;
  return { heatmaps, array };
}

/** Reads a JSON fixture under `shared/fixtures/reference/`. */
export async function loadJson<T>(...parts: string[]): Promise<T> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(referencePath(...parts), 'utf8')) as T;
}
