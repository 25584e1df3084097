import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '@hrnet/core/node';
import type { WeightsCache } from '../storage';

/**
 * A folder of weights files laid out as `<dir>/<family>/<file name>`: the Node cache, or (read only) a local
 * mirror such as `shared/models`. Writes go to a temporary file in the same folder that is renamed into
 * place, so a crash never leaves a partial file under the final name.
 */
export class FileWeightsStore implements WeightsCache {
  constructor(readonly dir: string) {}

  /** Path of a key's file. */
  path(key: string): string {
    return join(this.dir, ...key.split('/'));
  }

  async has(key: string): Promise<boolean> {
    return stat(this.path(key)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(key: string, bytes: Uint8Array): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, bytes);
  }

  describe(key: string): string {
    return this.path(key);
  }
}
