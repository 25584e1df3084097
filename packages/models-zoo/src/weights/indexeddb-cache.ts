import type { WeightsCache } from './storage';

const STORE = 'files';

function settle<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * The browser weights cache: one IndexedDB database (default `hrnet-weights`) with an object store `files`
 * mapping keys to the verified bytes. A `put` is a single transaction, so a reader never sees a partial file.
 */
export class IndexedDbWeightsCache implements WeightsCache {
  private database: Promise<IDBDatabase> | undefined;

  constructor(
    private readonly databaseName = 'hrnet-weights',
    private readonly factory: IDBFactory = globalThis.indexedDB,
  ) {}

  private open(): Promise<IDBDatabase> {
    this.database ??= new Promise((resolve, reject) => {
      const request = this.factory.open(this.databaseName, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return this.database;
  }

  private async store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.open()).transaction(STORE, mode).objectStore(STORE);
  }

  async has(key: string): Promise<boolean> {
    return (await settle((await this.store('readonly')).count(key))) > 0;
  }

  async read(key: string): Promise<Uint8Array | undefined> {
    const value: unknown = await settle((await this.store('readonly')).get(key));
    return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
  }

  async write(key: string, bytes: Uint8Array): Promise<void> {
    const store = await this.store('readwrite');
    const { transaction } = store;
    const committed = new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
    store.put(bytes.slice().buffer, key);
    await committed;
  }

  describe(key: string): string {
    return `IndexedDB ${this.databaseName}/${STORE}/${key}`;
  }
}
