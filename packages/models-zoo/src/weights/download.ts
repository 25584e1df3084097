import type { WeightFile } from '../zoo/cards';
import { verifyWeightFile } from './checksum';

/** Progress of one file's download. */
export interface DownloadProgress {
  readonly fileName: string;
  readonly receivedBytes: number;
  /** From `Content-Length`, or the card; undefined when unknown. */
  readonly totalBytes: number | undefined;
}

/** Options of {@link downloadWeightFile}. */
export interface DownloadOptions {
  /** The `fetch` to use; default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
  /** Called after every received chunk. */
  readonly onProgress?: (progress: DownloadProgress) => void;
}

/**
 * Downloads a weights file from its URL with streaming progress and checks its SHA-256. Nothing is stored:
 * the caller writes the verified bytes to a cache.
 *
 * @throws ChecksumMismatchError when the bytes differ from the published sum
 * @throws Error (the network failure, an HTTP status, or a body shorter than `Content-Length`)
 */
export async function downloadWeightFile(
  file: WeightFile & { readonly url: string },
  options: DownloadOptions = {},
): Promise<Uint8Array> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const response = await fetchImpl(file.url);
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  const length = Number(response.headers.get('content-length'));
  const totalBytes = length > 0 ? length : file.bytes;
  const chunks: Uint8Array[] = [];
  let receivedBytes = 0;
  if (response.body === null) throw new Error('empty response body');
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    receivedBytes += value.byteLength;
    options.onProgress?.({ fileName: file.fileName, receivedBytes, totalBytes });
  }
  if (totalBytes !== undefined && receivedBytes !== totalBytes) {
    throw new Error(`received ${receivedBytes} of ${totalBytes} bytes`);
  }
  const bytes = new Uint8Array(receivedBytes);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  await verifyWeightFile(file, bytes, file.url);
  return bytes;
}
