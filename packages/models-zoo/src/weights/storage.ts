/**
 * A place holding weights files by key (`<family>/<file name>`, e.g. `pp-tinypose/tinypose_256x192.bin`):
 * a local mirror folder, or the cache.
 */
export interface WeightsStore {
  has(key: string): Promise<boolean>;
  /** The stored bytes, or undefined when the key is absent. */
  read(key: string): Promise<Uint8Array | undefined>;
  /** Where `key` lives (a path, or a database and key), for messages. */
  describe(key: string): string;
}

/** A {@link WeightsStore} that can also be written: the cache. */
export interface WeightsCache extends WeightsStore {
  /** Stores verified bytes so that no reader ever sees a partial file (write elsewhere, then rename/commit). */
  write(key: string, bytes: Uint8Array): Promise<void>;
}

/** Key of a weights file in a cache or mirror: `<family>/<file name>`. */
export function weightsKey(family: string, fileName: string): string {
  return `${family}/${fileName}`;
}
